import { eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Transaction } from '../../db/client.js';
import { socialAccounts } from '../../db/schema/index.js';
import { decryptSecret, encryptSecret } from '../core/secret-box.js';
import type { Credentials } from '../platforms/adapter.js';

const storedCredentials = z.object({
  accessToken: z.string().min(1),
  refreshToken: z.string().optional(),
  expiresAt: z.iso.datetime().optional(),
  scope: z.array(z.string()).optional(),
  secret: z.string().optional(),
});

export function sealCredentials(key: Buffer, credentials: Credentials): string {
  return encryptSecret(
    key,
    JSON.stringify({ ...credentials, expiresAt: credentials.expiresAt?.toISOString() }),
  );
}

export function openCredentials(key: Buffer, sealed: string): Credentials {
  const parsed = storedCredentials.parse(JSON.parse(decryptSecret(key, sealed)));
  return {
    accessToken: parsed.accessToken,
    ...(parsed.refreshToken ? { refreshToken: parsed.refreshToken } : {}),
    ...(parsed.expiresAt ? { expiresAt: new Date(parsed.expiresAt) } : {}),
    ...(parsed.scope ? { scope: parsed.scope } : {}),
    ...(parsed.secret ? { secret: parsed.secret } : {}),
  };
}

/** Stores new tokens (X rotates the refresh token on every refresh, so this must not be lost). */
export async function storeCredentials(
  tx: Transaction,
  key: Buffer,
  accountId: string,
  credentials: Credentials,
): Promise<void> {
  await tx
    .update(socialAccounts)
    .set({
      credentialsEncrypted: sealCredentials(key, credentials),
      credentialsExpiresAt: credentials.expiresAt ?? null,
      credentialStatus: 'valid',
      updatedAt: new Date(),
    })
    .where(eq(socialAccounts.id, accountId));
}
