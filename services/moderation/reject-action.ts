import { z } from 'zod';
import { emitAudit } from '../audit/emit-audit.js';
import { requireUserId } from '../core/authorization.js';
import { hasRole } from '../core/principal.js';
import type { ServiceContext } from '../core/service-context.js';
import { forbidden } from '../core/service-error.js';
import { withTransaction } from '../core/with-transaction.js';
import { notifyUsers } from '../notifications/notify-users.js';
import {
  type ActionView,
  actionSubject,
  describeAction,
  loadAccountOf,
  loadAction,
  transitionAction,
} from './action-access.js';

export const rejectActionInput = z.object({
  actionId: z.uuid(),
  reason: z.string().trim().min(1, 'say why').max(2_000),
});
export type RejectActionInput = z.input<typeof rejectActionInput>;

/** The other admin (or a senior leader) turns a proposal down; the proposer may withdraw it. */
export async function rejectAction(
  ctx: ServiceContext,
  raw: RejectActionInput,
): Promise<{ action: ActionView }> {
  const input = rejectActionInput.parse(raw);
  const userId = requireUserId(ctx);
  const action = await withTransaction(ctx, async (tx) => {
    const current = await loadAction(ctx, tx, input.actionId, { forUpdate: true });
    const allowed =
      ctx.principal?.adminOfAccounts.has(current.accountId) ||
      (ctx.principal && hasRole(ctx.principal, current.schoolId, ['senior_leader']));
    if (!allowed)
      throw forbidden("Only the account's admins or a senior leader may reject a proposed action");
    const updated = await transitionAction(tx, current, ['proposed'], {
      status: 'rejected',
      error: input.reason,
      completedAt: new Date(),
    });
    const account = await loadAccountOf(tx, updated);
    await emitAudit(tx, ctx, {
      action: 'action.rejected',
      schoolId: updated.schoolId,
      subject: actionSubject(updated, account),
      details: {
        reason: input.reason,
        proposedBy: current.proposedBy,
        withdrawn: current.proposedBy === userId,
      },
    });
    if (current.proposedBy && current.proposedBy !== userId) {
      await notifyUsers(tx, {
        schoolId: updated.schoolId,
        userIds: [current.proposedBy],
        event: 'action.rejected',
        urgency: 'normal',
        title: `Your proposed ${updated.kind} was rejected`,
        body: `${ctx.actor.label} rejected it: ${input.reason}`,
        link: `/actions/${updated.id}`,
        subject: { type: 'action', id: updated.id },
      });
    }
    return updated;
  });
  return { action: describeAction(action) };
}
