import { and, eq, isNull, lte } from 'drizzle-orm';
import { comments, socialAccounts } from '../../db/schema/index.js';
import { emitAudit } from '../audit/emit-audit.js';
import { commentLabel } from '../comments/comment-label.js';
import type { ServiceContext } from '../core/service-context.js';
import { withTransaction } from '../core/with-transaction.js';
import { notifyUsers, schoolRoleUserIds } from '../notifications/notify-users.js';

export type WarnDeadlineResult = { status: 'warned'; notified: number } | { status: 'not_due' };

/**
 * The 75% warning (P2): the comms team and the assignee hear that a comment's deadline is near.
 * A conditional update, so the timer, a retried job and the sweep warn once between them; a comment
 * already answered, warned, breached or not yet due is left alone.
 */
export async function warnDeadline(
  ctx: ServiceContext,
  input: { commentId: string; now?: Date },
): Promise<WarnDeadlineResult> {
  const now = input.now ?? new Date();
  return withTransaction(ctx, async (tx) => {
    const [comment] = await tx
      .update(comments)
      .set({ warnedAt: now })
      .where(
        and(
          eq(comments.id, input.commentId),
          eq(comments.status, 'open'),
          isNull(comments.warnedAt),
          isNull(comments.breachedAt),
          lte(comments.warnAt, now),
        ),
      )
      .returning();
    if (!comment) return { status: 'not_due' };
    const [account] = await tx.select().from(socialAccounts).where(eq(socialAccounts.id, comment.accountId));
    const label = account ? commentLabel(comment, account) : `Comment ${comment.externalId}`;
    await emitAudit(tx, ctx, {
      action: 'comment.deadline_warning',
      schoolId: comment.schoolId,
      subject: { type: 'comment', id: comment.id, label },
      details: {
        deadlineAt: comment.deadlineAt?.toISOString() ?? null,
        warnAt: comment.warnAt?.toISOString() ?? null,
      },
    });
    const recipients = await schoolRoleUserIds(tx, comment.schoolId, ['comms']);
    if (comment.assigneeId) recipients.push(comment.assigneeId);
    const ids = await notifyUsers(tx, {
      schoolId: comment.schoolId,
      userIds: recipients,
      event: 'comment.deadline_warning',
      urgency: 'normal',
      title: 'A comment is close to its response deadline',
      body: `${label} needs a response by ${comment.deadlineAt?.toISOString() ?? 'its deadline'}.`,
      link: `/comments/${comment.id}`,
      subject: { type: 'comment', id: comment.id },
    });
    return { status: 'warned', notified: ids.length };
  });
}
