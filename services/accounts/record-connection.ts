import type { Transaction } from '../../db/client.js';
import type { SocialAccount } from '../../db/schema/index.js';
import { emitAudit } from '../audit/emit-audit.js';
import type { ServiceContext } from '../core/service-context.js';
import type { Credentials } from '../platforms/adapter.js';
import { transitionAccount } from './account-access.js';
import { sealCredentials } from './account-credentials.js';

/**
 * How every connect flow ends (X and YouTube by OAuth, a Facebook Page or Instagram account from
 * the Page picker, Bluesky by app password): the platform's credentials stored sealed on the
 * account, the account moved on ('approved' becomes 'connected'; a reconnect keeps its status),
 * and `account.connected` audited. The caller has already checked who signed in.
 */
export async function recordConnection(
  tx: Transaction,
  ctx: Pick<ServiceContext, 'actor' | 'requestId'>,
  encryptionKey: Buffer,
  account: SocialAccount,
  label: string,
  connection: {
    platformUserId: string;
    credentials: Credentials;
    scopes: readonly string[];
    /** more audit details, e.g. the Page a token came from */
    details?: Record<string, unknown>;
  },
): Promise<SocialAccount> {
  const to = account.status === 'approved' ? 'connected' : account.status;
  const updated = await transitionAccount(
    tx,
    account,
    [account.status],
    {
      status: to,
      platformUserId: connection.platformUserId,
      credentialsEncrypted: sealCredentials(encryptionKey, connection.credentials),
      credentialsExpiresAt: connection.credentials.expiresAt ?? null,
      credentialStatus: 'valid',
    },
    'connected',
  );
  await emitAudit(tx, ctx, {
    action: 'account.connected',
    schoolId: updated.schoolId,
    subject: { type: 'account', id: updated.id, label },
    details: {
      from: account.status,
      to,
      reconnected: account.status !== 'approved',
      platformUserId: connection.platformUserId,
      ...connection.details,
      scopes: [...connection.scopes],
    },
  });
  return updated;
}
