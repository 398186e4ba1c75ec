import { z } from 'zod';

const url = (protocols: string[]) =>
  z.string().refine(
    (value) => {
      try {
        return protocols.includes(new URL(value).protocol);
      } catch {
        return false;
      }
    },
    `a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}`,
  );

const base64Key = (bytes: number) => {
  const expected = `${bytes} bytes, base64-encoded (generate one with: openssl rand -base64 ${bytes})`;
  return z
    .string({ error: expected })
    .refine(
      (value) => /^[A-Za-z0-9+/]+={0,2}$/.test(value) && Buffer.from(value, 'base64').length === bytes,
      expected,
    );
};

const integer = (min: number, max: number) =>
  z
    .string()
    .refine((value) => /^\d+$/.test(value) && Number(value) >= min && Number(value) <= max, {
      message: `a whole number from ${min} to ${max}`,
    })
    .transform(Number);

const boolean = z
  .enum(['true', 'false', '1', '0'], { message: 'true or false' })
  .transform((value) => value === 'true' || value === '1');

// Defaults let a fresh checkout run against a local Postgres and Redis on their standard ports.
// The two secrets have none: a well-known key would "encrypt" real platform tokens. The demo and
// the tests generate their own.

export const envSchema = z.object({
  DATABASE_URL: url(['postgres:', 'postgresql:']).default('postgres://postgres@127.0.0.1:5432/hallmonitor'),
  REDIS_URL: url(['redis:', 'rediss:']).default('redis://127.0.0.1:6379'),
  REDIS_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_{}-]+$/, 'letters, digits, _ - { } (use {braces} for a Redis Cluster hash tag)')
    .default('hm'),
  HOST: z.string().min(1, 'a host name or address').default('127.0.0.1'),
  PORT: integer(0, 65535).default(3000),
  PUBLIC_URL: url(['http:', 'https:']).default('http://127.0.0.1:3000'),
  SESSION_SECRET: z
    .string({ error: 'at least 32 characters (generate one with: openssl rand -base64 48)' })
    .min(32, 'at least 32 characters (generate one with: openssl rand -base64 48)'),
  ENCRYPTION_KEY: base64Key(32),
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
      message: 'one of fatal, error, warn, info, debug, trace, silent',
    })
    .default('info'),
  POLL_INTERVAL_SECONDS: integer(5, 86_400).default(60),
  BODY_LIMIT_BYTES: integer(1_024, 10_485_760).default(1_048_576),
  COOKIE_SECURE: boolean.default(false),
  X_CLIENT_ID: z.string().default('hallmonitor-dev-client'),
  X_CLIENT_SECRET: z.string().default(''),
  X_API_BASE_URL: url(['http:', 'https:']).optional(),
  WORKER_CONCURRENCY: integer(1, 256).default(8),
});

export type Env = z.output<typeof envSchema>;
