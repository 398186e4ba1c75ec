import { z } from 'zod';
import { emitAudit } from '../audit/emit-audit.js';
import type { ServiceContext } from '../core/service-context.js';
import { preconditionFailed } from '../core/service-error.js';
import { withTransaction } from '../core/with-transaction.js';
import { assertAdminOrRole, loadAccount, transitionAccount } from './account-access.js';
import { accountLabel } from './account-label.js';
import { type AccountPolling, type PollingOutcome, startAccountPolling } from './account-polling.js';
import { watchShortfalls } from './account-risks.js';
import { type AccountView, describeAccount } from './account-view.js';

export const activateAccountInput = z.object({
  accountId: z.uuid(),
  note: z.string().trim().max(4_000).optional(),
});
export type ActivateAccountInput = z.input<typeof activateAccountInput>;

/**
 * P4/P5: a connected (or suspended) account goes live only with working credentials and two
 * admins who have acknowledged the school's current policy. Polling starts after the commit.
 */
export async function activateAccount(
  ctx: ServiceContext,
  raw: ActivateAccountInput,
  polling: AccountPolling,
): Promise<{ account: AccountView; polling: PollingOutcome }> {
  const input = activateAccountInput.parse(raw);
  const account = await withTransaction(ctx, async (tx) => {
    const current = await loadAccount(ctx, tx, input.accountId, { forUpdate: true });
    assertAdminOrRole(ctx, current, ['senior_leader'], 'activate an official account');
    const before = await describeAccount(tx, current);
    const blockers = before.governance.activationBlockers;
    if (blockers.length) {
      throw preconditionFailed(`${before.label} cannot be activated yet: ${blockers.join('; ')}`, {
        blockers,
      });
    }
    const watch = await watchShortfalls(tx, [current.schoolId]);
    const updated = await transitionAccount(
      tx,
      current,
      ['connected', 'suspended'],
      // Monitoring starts now: earlier comments in the first polls' backlog count from here.
      { status: 'active', activatedAt: new Date() },
      'activated',
    );
    await emitAudit(tx, ctx, {
      action: 'account.activated',
      schoolId: updated.schoolId,
      subject: { type: 'account', id: updated.id, label: accountLabel(updated) },
      details: {
        from: current.status,
        to: 'active',
        note: input.note ?? null,
        policyVersionLabel: before.governance.policyVersionLabel,
        acknowledgedAdmins: before.governance.acknowledgedAdmins,
      },
    });
    await watch.settle(ctx, `Activating ${accountLabel(updated)}`);
    return updated;
  });
  const outcome = await startAccountPolling(polling, account);
  return { account: await describeAccount(ctx.db, account), polling: outcome };
}
