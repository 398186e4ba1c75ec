import { generateKeyPairSync } from 'node:crypto';
import { chmodSync, linkSync, mkdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { ed25519PrivateKeyFromBase64 } from './env-schema.js';

export { DEFAULT_AUDIT_SIGNING_KEY_FILE } from './env-schema.js';

/** Why a key file cannot be used: start-up names AUDIT_SIGNING_KEY_FILE and says this. */
export class KeyFileError extends Error {
  override name = 'KeyFileError';
}

/**
 * The Ed25519 key kept in `path` (base64 PKCS8 DER, as AUDIT_SIGNING_KEY takes it), or undefined
 * when there is no such file. A file that holds anything else is an error, never replaced: a new
 * key would make every earlier checkpoint look forged.
 */
export function readKeyFile(path: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8').trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new KeyFileError(`${path} cannot be read: ${(error as Error).message}`);
  }
  if (!ed25519PrivateKeyFromBase64(text))
    throw new KeyFileError(`${path} does not hold an Ed25519 private key (base64 PKCS8 DER or 32-byte seed)`);
  return text;
}

/**
 * The key in `path`, generating one there first if there is none: written to a temporary file
 * with mode 0600 and linked into place, so two processes starting at once (the API and the
 * worker) end up with the same key and nobody ever reads half a file.
 */
export function readOrCreateKeyFile(path: string): { key: string; created: boolean } {
  const existing = readKeyFile(path);
  if (existing) return { key: existing, created: false };
  const key = generateKeyPairSync('ed25519')
    .privateKey.export({ format: 'der', type: 'pkcs8' })
    .toString('base64');
  const temporary = `${path}.${process.pid}.${Date.now()}.tmp`;
  try {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    writeFileSync(temporary, `${key}\n`, { mode: 0o600, flag: 'wx' });
    chmodSync(temporary, 0o600); // whatever the umask
    linkSync(temporary, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      const raced = readKeyFile(path);
      if (raced) return { key: raced, created: false };
    }
    throw new KeyFileError(`${path} cannot be created: ${(error as Error).message}`);
  } finally {
    try {
      unlinkSync(temporary);
    } catch {
      // never written
    }
  }
  return { key, created: true };
}

/** True when others than the owner may read the file (it should be 0600). */
export function keyFileIsOpen(path: string): boolean {
  try {
    return (statSync(path).mode & 0o077) !== 0;
  } catch {
    return false;
  }
}
