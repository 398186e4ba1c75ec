import { closeDatabase, createDatabase, type Database } from '../../../db/client.js';
import { auditSigner } from '../audit-signing.js';

export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/hallmonitor';

/** The operator's commands read only what they need: the database and the audit key. */
export function cliDatabase(url?: string): Database {
  return createDatabase({
    url: url ?? process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL,
    max: 4,
    applicationName: 'hallmonitor-audit-cli',
  });
}

export async function withCliDatabase<T>(
  url: string | undefined,
  fn: (db: Database) => Promise<T>,
): Promise<T> {
  const db = cliDatabase(url);
  try {
    return await fn(db);
  } finally {
    await closeDatabase(db);
  }
}

/** The public key of the configured AUDIT_SIGNING_KEY, if any. */
export function configuredPublicKey(env: NodeJS.ProcessEnv = process.env): string | null {
  const key = env.AUDIT_SIGNING_KEY?.trim();
  return key ? (auditSigner(key)?.publicKey ?? null) : null;
}

export function seqArg(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new UsageError(`${name} must be a whole number`);
  return Number(value);
}

export class UsageError extends Error {
  override name = 'UsageError';
}

export interface CliIo {
  out: (text: string) => void;
  err: (text: string) => void;
}

export const processIo: CliIo = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

/** An error's message, with the database's own reason when a query failed (a missing database, say). */
export function describeError(error: unknown): string {
  const e = error as Error & { cause?: { message?: string } };
  return e.cause?.message ? `${e.cause.message}` : e.message;
}
