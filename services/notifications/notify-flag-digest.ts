import { and, count, desc, eq, gt, inArray, isNull, sql } from 'drizzle-orm';
import type { Transaction } from '../../db/client.js';
import { notificationItems, notifications } from '../../db/schema/index.js';
import { notifyUsers } from './notify-users.js';

/**
 * How long one flag notification stays open for more: within it, a person's further flags are
 * added to their unread notification instead of each lighting the bell (and sending an email).
 */
export const FLAG_DIGEST_WINDOW_MS = 10 * 60_000;
/** Most flags one notification lists; the next starts a new one. */
export const MAX_FLAGS_PER_DIGEST = 50;

export interface FlagNotice {
  schoolId: string;
  userIds: readonly string[];
  commentId: string;
  /** The account, as a label (`@handle on X`): titles never carry comment text. */
  onAccount: string;
  /** What the first flag's notification says (the labels, whether it was hidden). */
  body: string;
  now?: Date;
}

/**
 * Tells the account's admins of an offensive flag, batched: a person whose unread flag
 * notification from this school is younger than FLAG_DIGEST_WINDOW_MS gets this comment added to
 * it (notification_items), with its title and body saying how many; anyone else gets a new one at
 * once. So the first flag is heard of straight away and a burst becomes one notification listing
 * every comment. Safeguarding never comes here: it goes to the safeguarding leads at once.
 */
export async function notifyFlagDigest(tx: Transaction, notice: FlagNotice): Promise<void> {
  const recipients = [...new Set(notice.userIds)].sort();
  if (recipients.length === 0) return;
  const now = notice.now ?? new Date();
  // Two flags processed at once for the same person must not both start a notification.
  for (const userId of recipients)
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`flag-digest:${userId}`}))`);

  const open = await tx
    .select({ id: notifications.id, userId: notifications.userId, items: count(notificationItems.id) })
    .from(notifications)
    .leftJoin(notificationItems, eq(notificationItems.notificationId, notifications.id))
    .where(
      and(
        inArray(notifications.userId, recipients),
        eq(notifications.schoolId, notice.schoolId),
        eq(notifications.event, 'comment.flagged'),
        isNull(notifications.readAt),
        gt(notifications.createdAt, new Date(now.getTime() - FLAG_DIGEST_WINDOW_MS)),
      ),
    )
    .groupBy(notifications.id)
    .orderBy(desc(notifications.createdAt));
  const joining = new Map<string, { id: string; items: number }>();
  for (const n of open)
    if (!joining.has(n.userId) && n.items < MAX_FLAGS_PER_DIGEST) joining.set(n.userId, n);

  const fresh = recipients.filter((u) => !joining.has(u));
  const created = await notifyUsers(tx, {
    schoolId: notice.schoolId,
    userIds: fresh,
    event: 'comment.flagged',
    urgency: 'normal',
    title: `Offensive comment flagged on ${notice.onAccount}`,
    body: notice.body,
    link: `/comments/${notice.commentId}`,
    subject: { type: 'comment', id: notice.commentId },
  });
  const targets = [...created, ...[...joining.values()].map((n) => n.id)];
  if (targets.length === 0) return;
  await tx
    .insert(notificationItems)
    .values(targets.map((notificationId) => ({ notificationId, commentId: notice.commentId })))
    .onConflictDoNothing();
  for (const n of joining.values()) {
    const total = n.items + 1;
    await tx
      .update(notifications)
      .set({
        title: `${total} offensive comments flagged`,
        body: `${total} comments on accounts you administer were flagged offensive in the last few minutes, the latest on ${notice.onAccount}. Each is listed here; review them on the Flags page.`,
        link: '/flags',
        subjectType: null,
        subjectId: null,
      })
      .where(eq(notifications.id, n.id));
  }
}
