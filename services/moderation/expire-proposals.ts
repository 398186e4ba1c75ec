import { and, asc, eq, lte } from 'drizzle-orm';
import { moderationActions, socialAccounts } from '../../db/schema/index.js';
import { emitAudit } from '../audit/emit-audit.js';
import { systemActor } from '../core/actor.js';
import type { ServiceContext } from '../core/service-context.js';
import { withTransaction } from '../core/with-transaction.js';
import { notifyUsers } from '../notifications/notify-users.js';
import { actionSubject } from './action-access.js';

/**
 * Proposals nobody confirmed in time expire (default 24 hours, per account), each with its audit
 * entry and a note to the proposer. The update is conditional, so a confirmation that commits
 * first wins and the sweep skips that row.
 */
export async function expireProposals(
  ctx: ServiceContext,
  options: { now?: Date; limit?: number } = {},
): Promise<{ expired: number }> {
  const now = options.now ?? new Date();
  const due = await ctx.db
    .select({ id: moderationActions.id })
    .from(moderationActions)
    .where(and(eq(moderationActions.status, 'proposed'), lte(moderationActions.expiresAt, now)))
    .orderBy(asc(moderationActions.expiresAt))
    .limit(options.limit ?? 1_000);
  let expired = 0;
  for (const { id } of due) if (await expireAction(ctx, id, now)) expired += 1;
  return { expired };
}

/** Expires one proposal if it is still proposed and past its time; false when it was not. */
export async function expireAction(
  ctx: ServiceContext,
  actionId: string,
  now = new Date(),
): Promise<boolean> {
  const sys: ServiceContext = { ...ctx, actor: systemActor('proposal expiry') };
  return withTransaction(sys, async (tx) => {
    const [updated] = await tx
      .update(moderationActions)
      .set({ status: 'expired', completedAt: now, updatedAt: now })
      .where(
        and(
          eq(moderationActions.id, actionId),
          eq(moderationActions.status, 'proposed'),
          lte(moderationActions.expiresAt, now),
        ),
      )
      .returning();
    if (!updated) return false;
    const [account] = await tx.select().from(socialAccounts).where(eq(socialAccounts.id, updated.accountId));
    const subject = actionSubject(updated, account ?? { handle: 'unknown', platform: 'x' });
    await emitAudit(tx, sys, {
      action: 'action.expired',
      schoolId: updated.schoolId,
      subject,
      details: { expiresAt: updated.expiresAt, proposedBy: updated.proposedBy, kind: updated.kind },
    });
    if (updated.proposedBy) {
      await notifyUsers(tx, {
        schoolId: updated.schoolId,
        userIds: [updated.proposedBy],
        event: 'action.expired',
        urgency: 'normal',
        title: `Your proposed ${updated.kind} expired unconfirmed`,
        body: 'No second admin confirmed it in time. Propose it again if it is still needed.',
        link: `/actions/${updated.id}`,
        subject: { type: 'action', id: updated.id },
      });
    }
    return true;
  });
}
