import { z } from 'zod';
import { emitAudit } from '../audit/emit-audit.js';
import type { ServiceContext } from '../core/service-context.js';
import { withTransaction } from '../core/with-transaction.js';
import { assertAdminOrRole, loadAccount, transitionAccount } from './account-access.js';
import { accountLabel } from './account-label.js';
import { type AccountPolling, type PollingOutcome, stopAccountPolling } from './account-polling.js';
import { watchShortfalls } from './account-risks.js';
import { type AccountView, describeAccount } from './account-view.js';

export const suspendAccountInput = z.object({
  accountId: z.uuid(),
  note: z.string().trim().min(1, 'say why the account is suspended').max(4_000),
});
export type SuspendAccountInput = z.input<typeof suspendAccountInput>;

/** An active account stops being polled until it is activated again; nothing is deleted. */
export async function suspendAccount(
  ctx: ServiceContext,
  raw: SuspendAccountInput,
  polling: AccountPolling,
): Promise<{ account: AccountView; polling: PollingOutcome }> {
  const input = suspendAccountInput.parse(raw);
  const account = await withTransaction(ctx, async (tx) => {
    const current = await loadAccount(ctx, tx, input.accountId, { forUpdate: true });
    assertAdminOrRole(ctx, current, ['senior_leader'], 'suspend an official account');
    const watch = await watchShortfalls(tx, [current.schoolId]);
    const updated = await transitionAccount(tx, current, ['active'], { status: 'suspended' }, 'suspended');
    await emitAudit(tx, ctx, {
      action: 'account.suspended',
      schoolId: updated.schoolId,
      subject: { type: 'account', id: updated.id, label: accountLabel(updated) },
      details: { from: 'active', to: 'suspended', note: input.note },
    });
    await watch.settle(ctx, `Suspending ${accountLabel(updated)}`);
    return updated;
  });
  const outcome = await stopAccountPolling(polling, account.id);
  return { account: await describeAccount(ctx.db, account), polling: outcome };
}
