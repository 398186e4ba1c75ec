import { and, eq, isNull, lte } from 'drizzle-orm';
import { comments, socialAccounts } from '../../db/schema/index.js';
import { emitAudit } from '../audit/emit-audit.js';
import { commentLabel } from '../comments/comment-label.js';
import type { ServiceContext } from '../core/service-context.js';
import { withTransaction } from '../core/with-transaction.js';
import { accountAdminIds, notifyUsers, schoolRoleUserIds } from '../notifications/notify-users.js';

export type BreachDeadlineResult = { status: 'breached'; notified: number } | { status: 'not_due' };

/**
 * The deadline passed with no response (P2): the account's admins and the senior leaders are told
 * at once. Conditional on the row, so the timer and the sweep breach a comment once between them.
 */
export async function breachDeadline(
  ctx: ServiceContext,
  input: { commentId: string; now?: Date },
): Promise<BreachDeadlineResult> {
  const now = input.now ?? new Date();
  return withTransaction(ctx, async (tx) => {
    const [comment] = await tx
      .update(comments)
      .set({ breachedAt: now })
      .where(
        and(
          eq(comments.id, input.commentId),
          eq(comments.status, 'open'),
          isNull(comments.breachedAt),
          lte(comments.deadlineAt, now),
        ),
      )
      .returning();
    if (!comment) return { status: 'not_due' };
    const [account] = await tx.select().from(socialAccounts).where(eq(socialAccounts.id, comment.accountId));
    const label = account ? commentLabel(comment, account) : `Comment ${comment.externalId}`;
    await emitAudit(tx, ctx, {
      action: 'comment.deadline_breached',
      schoolId: comment.schoolId,
      subject: { type: 'comment', id: comment.id, label },
      details: {
        deadlineAt: comment.deadlineAt?.toISOString() ?? null,
        ruleVersion: comment.deadlineRuleVersion,
        assigneeId: comment.assigneeId,
      },
    });
    const recipients = [
      ...(await accountAdminIds(tx, comment.accountId)),
      ...(await schoolRoleUserIds(tx, comment.schoolId, ['senior_leader'])),
    ];
    const ids = await notifyUsers(tx, {
      schoolId: comment.schoolId,
      userIds: recipients,
      event: 'comment.deadline_breached',
      urgency: 'urgent',
      title: 'A comment has missed its response deadline',
      body: `${label} was due a response by ${comment.deadlineAt?.toISOString() ?? 'its deadline'} and has none.`,
      link: `/comments/${comment.id}`,
      subject: { type: 'comment', id: comment.id },
    });
    return { status: 'breached', notified: ids.length };
  });
}
