import { z } from 'zod';
import { emitAudit } from '../audit/emit-audit.js';
import { assertRole, requireUserId } from '../core/authorization.js';
import type { ServiceContext } from '../core/service-context.js';
import { forbidden } from '../core/service-error.js';
import { withTransaction } from '../core/with-transaction.js';
import { notifyUsers } from '../notifications/notify-users.js';
import { addMonths, loadAccount, transitionAccount } from './account-access.js';
import { accountLabel } from './account-label.js';
import { type AccountView, describeAccount } from './account-view.js';

export const decideAccountInput = z.object({
  accountId: z.uuid(),
  decision: z.enum(['approve', 'reject']),
  note: z.string().trim().min(1, 'a decision needs a written note').max(4_000),
  /** Months until the approval is reviewed; the policy's regular check, 12 by default. */
  reviewMonths: z.number().int().min(1).max(36).default(12),
});
export type DecideAccountInput = z.input<typeof decideAccountInput>;

/** P4: a senior leader, never the proposer, approves (with a review date) or rejects a proposal. */
export async function decideAccount(ctx: ServiceContext, raw: DecideAccountInput): Promise<AccountView> {
  const input = decideAccountInput.parse(raw);
  const deciderId = requireUserId(ctx);
  return withTransaction(ctx, async (tx) => {
    const account = await loadAccount(ctx, tx, input.accountId, { forUpdate: true });
    assertRole(ctx, account.schoolId, ['senior_leader'], 'approve or reject an official account');
    if (account.proposedBy === deciderId) {
      throw forbidden('You proposed this account; another senior leader must decide on it');
    }
    const now = new Date();
    const approve = input.decision === 'approve';
    const updated = await transitionAccount(
      tx,
      account,
      ['proposed'],
      {
        status: approve ? 'approved' : 'rejected',
        decidedBy: deciderId,
        decisionNote: input.note,
        decidedAt: now,
        reviewDueAt: approve ? addMonths(now, input.reviewMonths) : null,
      },
      approve ? 'approved' : 'rejected',
    );
    const label = accountLabel(updated);
    await emitAudit(tx, ctx, {
      action: approve ? 'account.approved' : 'account.rejected',
      schoolId: updated.schoolId,
      subject: { type: 'account', id: updated.id, label },
      details: {
        from: 'proposed',
        to: updated.status,
        note: input.note,
        ...(approve ? { reviewDueAt: updated.reviewDueAt?.toISOString() } : {}),
      },
    });
    if (updated.proposedBy) {
      await notifyUsers(tx, {
        schoolId: updated.schoolId,
        userIds: [updated.proposedBy],
        event: approve ? 'account.approved' : 'account.rejected',
        urgency: 'normal',
        title: `${label} was ${approve ? 'approved' : 'rejected'}`,
        body: approve
          ? `${ctx.actor.label} approved ${label}. An admin can now connect it.`
          : `${ctx.actor.label} rejected ${label}: ${input.note}`,
        link: `/accounts/${updated.id}`,
        subject: { type: 'account', id: updated.id },
      });
    }
    return describeAccount(tx, updated, now);
  });
}
