import { and, eq, isNull, lte } from 'drizzle-orm';
import type { Comment } from '../../db/schema/index.js';
import { comments, socialAccounts } from '../../db/schema/index.js';
import type { AuditEntryInput } from '../audit/emit-audit.js';
import { emitAudit } from '../audit/emit-audit.js';
import { commentLabel } from '../comments/comment-label.js';
import { metrics } from '../core/metrics.js';
import type { ServiceContext } from '../core/service-context.js';
import { withTransaction } from '../core/with-transaction.js';
import {
  accountAdminIds,
  type NotificationInput,
  notifyUsers,
  schoolRoleUserIds,
} from '../notifications/notify-users.js';

/**
 * `dueAt`, on not_due: the comment is still open and its deadline lies ahead (a calendar change
 * moved it after this timer was set), so the timer should wait until then.
 */
export type BreachDeadlineResult =
  | { status: 'breached'; notified: number }
  | { status: 'not_due'; dueAt: Date | null };

/** The comment, while it is open and not breached: what a warning or a breach timer is for. */
export const stillOpen = (commentId: string) =>
  and(eq(comments.id, commentId), eq(comments.status, 'open'), isNull(comments.breachedAt));

/**
 * The deadline passed with no response (P2): the account's admins and the senior leaders are told
 * at once. Conditional on the row, so the timer and the sweep breach a comment once between them.
 */
export async function breachDeadline(
  ctx: ServiceContext,
  input: { commentId: string; now?: Date },
): Promise<BreachDeadlineResult> {
  const now = input.now ?? new Date();
  const result = await withTransaction(ctx, async (tx): Promise<BreachDeadlineResult> => {
    const [comment] = await tx
      .update(comments)
      .set({ breachedAt: now })
      .where(and(stillOpen(input.commentId), lte(comments.deadlineAt, now)))
      .returning();
    if (!comment) {
      const [open] = await tx
        .select({ deadlineAt: comments.deadlineAt })
        .from(comments)
        .where(stillOpen(input.commentId));
      const dueAt = open?.deadlineAt && open.deadlineAt > now ? open.deadlineAt : null;
      return { status: 'not_due', dueAt };
    }
    const [account] = await tx.select().from(socialAccounts).where(eq(socialAccounts.id, comment.accountId));
    const label = account ? commentLabel(comment, account) : `Comment ${comment.externalId}`;
    const recipients = [
      ...(await accountAdminIds(tx, comment.accountId)),
      ...(await schoolRoleUserIds(tx, comment.schoolId, ['senior_leader'])),
    ];
    const notice = breachNotice(comment, label);
    const ids = await notifyUsers(tx, { ...notice.notification, userIds: recipients });
    await emitAudit(tx, ctx, notice.audit);
    return { status: 'breached', notified: ids.length };
  });
  if (result.status === 'breached') metrics.deadlineBreaches.inc();
  return result;
}

/**
 * What a breach records and tells (shared by the timer, the sweep and the `process` step that
 * finds a comment already overdue): the audit entry and the notification, without recipients.
 */
export function breachNotice(
  comment: Pick<Comment, 'id' | 'schoolId' | 'deadlineAt' | 'deadlineRuleVersion' | 'assigneeId'>,
  label: string,
): { audit: AuditEntryInput; notification: Omit<NotificationInput, 'userIds'> } {
  return {
    audit: {
      action: 'comment.deadline_breached',
      schoolId: comment.schoolId,
      subject: { type: 'comment', id: comment.id, label },
      details: {
        deadlineAt: comment.deadlineAt?.toISOString() ?? null,
        ruleVersion: comment.deadlineRuleVersion,
        assigneeId: comment.assigneeId,
      },
    },
    notification: {
      schoolId: comment.schoolId,
      event: 'comment.deadline_breached',
      urgency: 'urgent',
      title: 'A comment has missed its response deadline',
      body: `${label} was due a response by ${comment.deadlineAt?.toISOString() ?? 'its deadline'} and has none.`,
      link: `/comments/${comment.id}`,
      subject: { type: 'comment', id: comment.id },
    },
  };
}
