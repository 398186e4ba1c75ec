import { and, eq, isNull, lte } from 'drizzle-orm';
import type { Comment } from '../../db/schema/index.js';
import { comments, socialAccounts } from '../../db/schema/index.js';
import type { AuditEntryInput } from '../audit/emit-audit.js';
import { emitAudit } from '../audit/emit-audit.js';
import { commentLabel } from '../comments/comment-label.js';
import { metrics } from '../core/metrics.js';
import type { ServiceContext } from '../core/service-context.js';
import { withTransaction } from '../core/with-transaction.js';
import { type NotificationInput, notifyUsers, schoolRoleUserIds } from '../notifications/notify-users.js';
import { stillOpen } from './breach-deadline.js';

/**
 * `breachAt` is where the comment's breach timer belongs once it has been warned (by this call or
 * before it) and is still open and unbreached; null when no breach timer is wanted. `dueAt`, on
 * not_due: the comment is open, unwarned, and its warning lies ahead (a calendar change moved it
 * after this timer was set), so the timer should wait until then.
 */
export type WarnDeadlineResult =
  | { status: 'warned'; notified: number; breachAt: Date | null }
  | { status: 'not_due'; breachAt: Date | null; dueAt: Date | null };

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
  const result = await withTransaction(ctx, async (tx): Promise<WarnDeadlineResult> => {
    const [comment] = await tx
      .update(comments)
      .set({ warnedAt: now })
      .where(and(stillOpen(input.commentId), isNull(comments.warnedAt), lte(comments.warnAt, now)))
      .returning();
    if (!comment) {
      // Warned already (by the sweep, or a retried job), or answered, or not yet due.
      const [open] = await tx
        .select({ deadlineAt: comments.deadlineAt, warnAt: comments.warnAt, warnedAt: comments.warnedAt })
        .from(comments)
        .where(stillOpen(input.commentId));
      if (!open) return { status: 'not_due', breachAt: null, dueAt: null };
      if (open.warnedAt) return { status: 'not_due', breachAt: open.deadlineAt, dueAt: null };
      return {
        status: 'not_due',
        breachAt: null,
        dueAt: open.warnAt && open.warnAt > now ? open.warnAt : null,
      };
    }
    const [account] = await tx.select().from(socialAccounts).where(eq(socialAccounts.id, comment.accountId));
    const label = account ? commentLabel(comment, account) : `Comment ${comment.externalId}`;
    const recipients = await schoolRoleUserIds(tx, comment.schoolId, ['comms']);
    if (comment.assigneeId) recipients.push(comment.assigneeId);
    const notice = warningNotice(comment, label);
    const ids = await notifyUsers(tx, { ...notice.notification, userIds: recipients });
    await emitAudit(tx, ctx, notice.audit);
    return { status: 'warned', notified: ids.length, breachAt: comment.deadlineAt };
  });
  if (result.status === 'warned') metrics.deadlineWarnings.inc();
  return result;
}

/** What a 75% warning records and tells: the audit entry and the notification, without recipients. */
export function warningNotice(
  comment: Pick<Comment, 'id' | 'schoolId' | 'deadlineAt' | 'warnAt'>,
  label: string,
): { audit: AuditEntryInput; notification: Omit<NotificationInput, 'userIds'> } {
  return {
    audit: {
      action: 'comment.deadline_warning',
      schoolId: comment.schoolId,
      subject: { type: 'comment', id: comment.id, label },
      details: {
        deadlineAt: comment.deadlineAt?.toISOString() ?? null,
        warnAt: comment.warnAt?.toISOString() ?? null,
      },
    },
    notification: {
      schoolId: comment.schoolId,
      event: 'comment.deadline_warning',
      urgency: 'normal',
      title: 'A comment is close to its response deadline',
      body: `${label} needs a response by ${comment.deadlineAt?.toISOString() ?? 'its deadline'}.`,
      link: `/comments/${comment.id}`,
      subject: { type: 'comment', id: comment.id },
    },
  };
}
