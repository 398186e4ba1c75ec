import { createPrivateKey, type KeyObject } from 'node:crypto';
import ipaddr from 'ipaddr.js';
import { z } from 'zod';

/** Where the audit signing key is kept when AUDIT_SIGNING_KEY is unset (relative to the working directory). */
export const DEFAULT_AUDIT_SIGNING_KEY_FILE = '.hallmonitor/audit-signing-key';

const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/** An Ed25519 private key from base64 PKCS8 DER or a base64 32-byte seed; null if it is neither. */
export function ed25519PrivateKeyFromBase64(value: string): KeyObject | null {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(value)) return null;
  const bytes = Buffer.from(value, 'base64');
  const der = bytes.length === 32 ? Buffer.concat([ED25519_PKCS8_PREFIX, bytes]) : bytes;
  try {
    const key = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
    return key.asymmetricKeyType === 'ed25519' ? key : null;
  } catch {
    return null;
  }
}

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

const HOST_NAME =
  /^(?=.{1,253}$)[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*$/;

/** A host name, an IP address or a CIDR range, as WEBHOOK_ALLOWED_HOSTS lists them. */
function isAllowedHostEntry(entry: string): boolean {
  return ipaddr.isValid(entry) || ipaddr.isValidCIDR(entry) || HOST_NAME.test(entry);
}

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
  POLL_FAILURE_ALERT_AFTER: integer(1, 1_000).default(5),
  BODY_LIMIT_BYTES: integer(1_024, 10_485_760).default(1_048_576),
  COOKIE_SECURE: boolean.default(false),
  X_CLIENT_ID: z.string().default('hallmonitor-dev-client'),
  X_CLIENT_SECRET: z.string().default(''),
  X_API_BASE_URL: url(['http:', 'https:']).optional(),
  // Facebook Pages and Instagram through the Meta Graph API: all three of the first set, or none
  // (Meta is off). The rest have defaults.
  META_APP_ID: z
    .string()
    .regex(/^\d{1,32}$/, 'the Meta app’s numeric App ID (App settings → Basic)')
    .optional(),
  META_APP_SECRET: z
    .string()
    .regex(
      /^[\x21-\x7e]{16,256}$/,
      'the Meta app’s App Secret (App settings → Basic): at least 16 characters, no spaces',
    )
    .optional(),
  META_WEBHOOK_VERIFY_TOKEN: z
    .string()
    .refine((value) => value.length >= 16 && value.length <= 256 && /^[\x21-\x7e]+$/.test(value), {
      message:
        'at least 16 printable characters without spaces, the same Verify Token as in the app’s Webhooks settings (generate one with: openssl rand -hex 24)',
    })
    .optional(),
  META_GRAPH_BASE_URL: url(['http:', 'https:']).default('https://graph.facebook.com'),
  META_GRAPH_VERSION: z
    .string()
    .regex(/^v\d{1,2}\.\d$/, 'a Graph API version such as v21.0')
    .default('v21.0'),
  META_POLL_INTERVAL_SECONDS_WITH_WEBHOOKS: integer(60, 86_400).default(900),
  // Bluesky: the PDS or entryway accounts sign in to (bsky.social for accounts hosted by Bluesky).
  BLUESKY_SERVICE_URL: url(['http:', 'https:']).default('https://bsky.social'),
  WORKER_CONCURRENCY: integer(1, 256).default(8),
  SMTP_URL: url(['smtp:', 'smtps:']).optional(),
  SMTP_FROM: z
    .string()
    .min(3, 'a sender such as Hallmonitor <hallmonitor@school.example>')
    .default('Hallmonitor <hallmonitor@localhost>'),
  NOTIFY_DIGEST_MINUTES: integer(5, 1_440).default(60),
  NOTIFY_ATTEMPTS: integer(1, 20).default(6),
  NOTIFY_BACKOFF_MS: integer(100, 3_600_000).default(5_000),
  WEBHOOK_ALLOWED_HOSTS: z
    .string()
    .transform((value) =>
      value
        .split(',')
        .map((part) =>
          part
            .trim()
            .toLowerCase()
            .replace(/^\[(.*)\]$/, '$1')
            .replace(/\.$/, ''),
        )
        .filter(Boolean),
    )
    .refine(
      (list) => list.length <= 100 && list.every(isAllowedHostEntry),
      'a comma-separated list of host names, IP addresses or CIDR ranges (e.g. hooks.internal.example,10.1.2.3,10.8.0.0/16)',
    )
    .optional(),
  AUDIT_SIGNING_KEY: z
    .string()
    .refine(
      (value) => ed25519PrivateKeyFromBase64(value) !== null,
      'an Ed25519 private key, base64: PKCS8 DER or a 32-byte seed (generate one with: openssl genpkey -algorithm ed25519 -outform DER | base64)',
    )
    .optional(),
  // Unset AUDIT_SIGNING_KEY: the key kept in this file (created with mode 0600 on first start).
  AUDIT_SIGNING_KEY_FILE: z
    .string()
    .min(1, 'a file path (relative to the working directory, or absolute)')
    .default(DEFAULT_AUDIT_SIGNING_KEY_FILE),
  AUDIT_CHECKPOINT_MINUTES: integer(1, 1_440).default(15),
  TRUST_PROXY: z
    .string()
    .refine(
      (value) =>
        /^(true|false|\d{1,2})$/.test(value) ||
        value.split(',').every((part) => /^[0-9a-fA-F.:/]+$/.test(part.trim())),
      'false, true, a number of proxy hops, or a comma-separated list of proxy addresses/CIDRs',
    )
    .transform((value): boolean | number | string =>
      value === 'true' ? true : value === 'false' ? false : /^\d+$/.test(value) ? Number(value) : value,
    )
    .default(false),
  AUDIT_WITNESS_EMAILS: z
    .string()
    .transform((value) =>
      value
        .split(',')
        .map((part) => part.trim())
        .filter(Boolean),
    )
    .refine(
      (list) => list.length > 0 && list.length <= 20 && list.every((a) => z.email().safeParse(a).success),
      'one to twenty email addresses, comma-separated (the outside witnesses each signed checkpoint is mailed to)',
    )
    .optional(),
  QUEUE_DASHBOARD_TRUST_ID: z
    .uuid('a trust\'s id (a uuid; `npm run cli -- create-trust-admin` prints it as "Trust: name (id)")')
    .optional(),
  // Outside classification tiers. Configured here, used only once a trust admin turns one on.
  MODERATION_URL: url(['https:']).optional(),
  MODERATION_API_KEY: z.string().min(1, 'the API key of the moderation endpoint').optional(),
  MODERATION_MODEL: z.string().min(1).max(100).default('omni-moderation-latest'),
  MODERATION_TIMEOUT_MS: integer(100, 60_000).default(3_000),
  GUARD_MODEL_URL: url(['http:', 'https:']).optional(),
  GUARD_MODEL_NAME: z
    .string()
    .regex(/^[\w.:/@-]{1,100}$/, 'a model name such as llama-guard3 or meta-llama/Llama-Guard-3-8B')
    .default('llama-guard3'),
  GUARD_MODEL_API_KEY: z.string().min(1).optional(),
  GUARD_MODEL_TIMEOUT_MS: integer(100, 120_000).default(5_000),
  GUARD_MODEL_ALLOW_PRIVATE_NETWORK: boolean.default(false),
  METRICS_TOKEN: z
    .string()
    .refine((value) => value.length >= 24 && /^[\x21-\x7e]+$/.test(value), {
      message: 'at least 24 printable characters without spaces (generate one with: openssl rand -base64 32)',
    })
    .optional(),
});

export type Env = z.output<typeof envSchema>;
