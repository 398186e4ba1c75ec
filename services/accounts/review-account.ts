import { z } from 'zod';
import { emitAudit } from '../audit/emit-audit.js';
import { assertRole, requireUserId } from '../core/authorization.js';
import type { ServiceContext } from '../core/service-context.js';
import { withTransaction } from '../core/with-transaction.js';
import { addMonths, GOVERNED_STATUSES, loadAccount, transitionAccount } from './account-access.js';
import { accountLabel } from './account-label.js';
import { type AccountPolling, type PollingOutcome, stopAccountPolling } from './account-polling.js';
import { type AccountView, describeAccount } from './account-view.js';

export const reviewAccountInput = z.object({
  accountId: z.uuid(),
  outcome: z.enum(['reapprove', 'suspend']),
  note: z.string().trim().min(1, 'a review needs a written note').max(4_000),
  reviewMonths: z.number().int().min(1).max(36).default(12),
});
export type ReviewAccountInput = z.input<typeof reviewAccountInput>;

/**
 * The regular check of 002 §6: a senior leader re-approves the account until the next review
 * date, or suspends it (and its polling stops).
 */
export async function reviewAccount(
  ctx: ServiceContext,
  raw: ReviewAccountInput,
  polling: AccountPolling,
): Promise<{ account: AccountView; polling: PollingOutcome | null }> {
  const input = reviewAccountInput.parse(raw);
  const reviewerId = requireUserId(ctx);
  const result = await withTransaction(ctx, async (tx) => {
    const current = await loadAccount(ctx, tx, input.accountId, { forUpdate: true });
    assertRole(ctx, current.schoolId, ['senior_leader'], 'review an official account');
    const now = new Date();
    const reapprove = input.outcome === 'reapprove';
    const updated = await transitionAccount(
      tx,
      current,
      reapprove ? GOVERNED_STATUSES : ['approved', 'connected', 'active'],
      {
        decidedBy: reviewerId,
        decidedAt: now,
        decisionNote: input.note,
        ...(reapprove
          ? { reviewDueAt: addMonths(now, input.reviewMonths) }
          : { status: 'suspended' as const }),
      },
      reapprove ? 're-approved' : 'suspended',
    );
    const subject = { type: 'account', id: updated.id, label: accountLabel(updated) };
    await emitAudit(tx, ctx, [
      {
        action: 'account.reviewed',
        schoolId: updated.schoolId,
        subject,
        details: {
          outcome: input.outcome,
          note: input.note,
          previousReviewDueAt: current.reviewDueAt?.toISOString() ?? null,
          reviewDueAt: updated.reviewDueAt?.toISOString() ?? null,
        },
      },
      ...(reapprove
        ? []
        : [
            {
              action: 'account.suspended' as const,
              schoolId: updated.schoolId,
              subject,
              details: { from: current.status, to: 'suspended', note: input.note, byReview: true },
            },
          ]),
    ]);
    return { updated, wasActive: current.status === 'active' };
  });
  const outcome =
    input.outcome === 'suspend' && result.wasActive
      ? await stopAccountPolling(polling, result.updated.id)
      : null;
  return { account: await describeAccount(ctx.db, result.updated), polling: outcome };
}
