import { resolve } from 'node:path';
import {
  DEFAULT_AUDIT_SIGNING_KEY_FILE,
  KeyFileError,
  readKeyFile,
} from '../../../config/audit-signing-key-file.js';
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

/**
 * The installation's signing key, as the services find it: AUDIT_SIGNING_KEY, or the key kept in
 * AUDIT_SIGNING_KEY_FILE (default .hallmonitor/audit-signing-key). Never generates one: the
 * operator's commands sign nothing the services would not recognise.
 */
export function configuredSigningKey(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const key = env.AUDIT_SIGNING_KEY?.trim();
  if (key) return key;
  return readKeyFile(resolve(env.AUDIT_SIGNING_KEY_FILE?.trim() || DEFAULT_AUDIT_SIGNING_KEY_FILE));
}

/** The public key of the configured signing key (AUDIT_SIGNING_KEY or its key file), if any. */
export function configuredPublicKey(env: NodeJS.ProcessEnv = process.env): string | null {
  let key: string | undefined;
  try {
    key = configuredSigningKey(env);
  } catch (error) {
    if (error instanceof KeyFileError) return null;
    throw error;
  }
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
