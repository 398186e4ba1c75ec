import { z } from 'zod';
import { emitAudit } from '../audit/emit-audit.js';
import { assertRole } from '../core/authorization.js';
import type { ServiceContext } from '../core/service-context.js';
import { withTransaction } from '../core/with-transaction.js';
import { loadAccount, transitionAccount } from './account-access.js';
import { accountLabel } from './account-label.js';
import { type AccountPolling, type PollingOutcome, stopAccountPolling } from './account-polling.js';
import { watchShortfalls } from './account-risks.js';
import { type AccountView, describeAccount } from './account-view.js';

export const retireAccountInput = z.object({
  accountId: z.uuid(),
  note: z.string().trim().min(1, 'say why the account is retired').max(4_000),
});
export type RetireAccountInput = z.input<typeof retireAccountInput>;

/**
 * A senior leader retires an account for good. Its comments, actions and audit entries stay; only
 * the platform tokens are dropped, so nothing can act on the account again.
 */
export async function retireAccount(
  ctx: ServiceContext,
  raw: RetireAccountInput,
  polling: AccountPolling,
): Promise<{ account: AccountView; polling: PollingOutcome }> {
  const input = retireAccountInput.parse(raw);
  const account = await withTransaction(ctx, async (tx) => {
    const current = await loadAccount(ctx, tx, input.accountId, { forUpdate: true });
    assertRole(ctx, current.schoolId, ['senior_leader'], 'retire an official account');
    const watch = await watchShortfalls(tx, [current.schoolId]);
    const updated = await transitionAccount(
      tx,
      current,
      ['approved', 'connected', 'active', 'suspended'],
      { status: 'retired', credentialsEncrypted: null, credentialsExpiresAt: null, credentialStatus: 'none' },
      'retired',
    );
    await emitAudit(tx, ctx, {
      action: 'account.retired',
      schoolId: updated.schoolId,
      subject: { type: 'account', id: updated.id, label: accountLabel(updated) },
      details: { from: current.status, to: 'retired', note: input.note },
    });
    await watch.settle(ctx, `Retiring ${accountLabel(updated)}`);
    return updated;
  });
  const outcome = await stopAccountPolling(polling, account.id);
  return { account: await describeAccount(ctx.db, account), polling: outcome };
}
