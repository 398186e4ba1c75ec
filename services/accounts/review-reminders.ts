import { and, eq, gt, inArray, isNotNull, lte } from 'drizzle-orm';
import { notifications, type SocialAccount, socialAccounts } from '../../db/schema/index.js';
import type { ServiceContext } from '../core/service-context.js';
import { withTransaction } from '../core/with-transaction.js';
import { notifyUsers, schoolRoleUserIds } from '../notifications/notify-users.js';
import { GOVERNED_STATUSES } from './account-access.js';
import { accountLabel } from './account-label.js';
import { REVIEW_NOTICE_DAYS } from './account-view.js';

const DAY_MS = 24 * 60 * 60 * 1000;
/** A reminder for the same account is sent at most this often. */
export const REVIEW_REMINDER_EVERY_DAYS = 7;
export const REVIEW_DUE_EVENT = 'account.review_due';

/** Accounts in scope whose review falls due within 30 days of `now`, or is overdue. */
export async function findReviewsDue(ctx: ServiceContext, now: Date): Promise<SocialAccount[]> {
  if (ctx.schoolIds !== null && ctx.schoolIds.length === 0) return [];
  return (ctx.tx ?? ctx.db)
    .select()
    .from(socialAccounts)
    .where(
      and(
        inArray(socialAccounts.status, [...GOVERNED_STATUSES]),
        isNotNull(socialAccounts.reviewDueAt),
        lte(socialAccounts.reviewDueAt, new Date(now.getTime() + REVIEW_NOTICE_DAYS * DAY_MS)),
        ctx.schoolIds === null ? undefined : inArray(socialAccounts.schoolId, [...ctx.schoolIds]),
      ),
    )
    .orderBy(socialAccounts.reviewDueAt);
}

/**
 * Reminds the school's senior leaders of each review due, at most once a week per account. The
 * last reminder is remembered as the notification row itself (event + subject), so no extra
 * column is needed and a re-run the same day sends nothing. For a daily job with a system context.
 */
export async function sendReviewReminders(
  ctx: ServiceContext,
  now: Date,
): Promise<{ reminded: string[]; skipped: string[] }> {
  const due = await findReviewsDue(ctx, now);
  const reminded: string[] = [];
  const skipped: string[] = [];
  for (const account of due) {
    const sent = await withTransaction(ctx, async (tx) => {
      // Serialises two runs at once on the same account.
      await tx
        .select({ id: socialAccounts.id })
        .from(socialAccounts)
        .where(eq(socialAccounts.id, account.id))
        .for('update');
      const [recent] = await tx
        .select({ id: notifications.id })
        .from(notifications)
        .where(
          and(
            eq(notifications.event, REVIEW_DUE_EVENT),
            eq(notifications.subjectType, 'account'),
            eq(notifications.subjectId, account.id),
            gt(notifications.createdAt, new Date(now.getTime() - REVIEW_REMINDER_EVERY_DAYS * DAY_MS)),
          ),
        )
        .limit(1);
      if (recent) return false;
      const leaders = await schoolRoleUserIds(tx, account.schoolId, ['senior_leader']);
      if (leaders.length === 0) return false;
      const label = accountLabel(account);
      const dueAt = account.reviewDueAt!;
      const overdue = dueAt.getTime() <= now.getTime();
      const dueOn = dueAt.toISOString().slice(0, 10);
      await notifyUsers(tx, {
        schoolId: account.schoolId,
        userIds: leaders,
        event: REVIEW_DUE_EVENT,
        urgency: 'normal',
        title: overdue ? `Review overdue: ${label}` : `Review due ${dueOn}: ${label}`,
        body: overdue
          ? `The approval of ${label} was due for review on ${dueOn}. Re-approve it or suspend it.`
          : `The approval of ${label} is due for review on ${dueOn}. Re-approve it or suspend it before then.`,
        link: `/accounts/${account.id}`,
        subject: { type: 'account', id: account.id },
      });
      return true;
    });
    (sent ? reminded : skipped).push(account.id);
  }
  return { reminded, skipped };
}
