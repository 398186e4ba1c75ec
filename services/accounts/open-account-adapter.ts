import type { SocialAccount } from '../../db/schema/index.js';
import { emitAudit } from '../audit/emit-audit.js';
import type { ServiceContext } from '../core/service-context.js';
import { withTransaction } from '../core/with-transaction.js';
import { type PlatformAdapter, PlatformError } from '../platforms/adapter.js';
import type { AdapterFactory } from '../platforms/adapter-factory.js';
import { openCredentials, storeCredentials } from './account-credentials.js';
import { accountLabel } from './account-label.js';

/**
 * The platform adapter for one account, with its stored credentials. When the adapter refreshes
 * them (X rotates the refresh token every time), the new ones are stored and audited before use.
 */
export function openAccountAdapter(
  ctx: ServiceContext,
  account: Pick<
    SocialAccount,
    'id' | 'schoolId' | 'platform' | 'platformUserId' | 'handle' | 'credentialsEncrypted'
  >,
  deps: { encryptionKey: Buffer; adapterFor: AdapterFactory },
  refreshedBy: 'poll' | 'action' | 'reply',
): PlatformAdapter {
  if (!account.credentialsEncrypted) {
    throw new PlatformError('auth', `${accountLabel(account)} has no stored credentials; connect it again`);
  }
  return deps.adapterFor(
    account,
    openCredentials(deps.encryptionKey, account.credentialsEncrypted),
    (creds) =>
      withTransaction(ctx, async (tx) => {
        await storeCredentials(tx, deps.encryptionKey, account.id, creds);
        await emitAudit(tx, ctx, {
          action: 'account.credentials_refreshed',
          schoolId: account.schoolId,
          subject: { type: 'account', id: account.id, label: accountLabel(account) },
          details: { expiresAt: creds.expiresAt?.toISOString() ?? null, by: refreshedBy },
        });
      }),
  );
}
