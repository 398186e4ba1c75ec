import { and, asc, count, desc, eq, inArray, isNull, lt, or } from 'drizzle-orm';
import { z } from 'zod';
import { comments, notificationItems, notifications, socialAccounts } from '../../db/schema/index.js';
import { requireUserId } from '../core/authorization.js';
import { queryable, type ServiceContext } from '../core/service-context.js';
import { invalidInput } from '../core/service-error.js';
import { excerpt } from '../moderation/list-flags.js';

/** One comment a digest notification lists: its text as it is now (empty once redacted), bounded. */
export interface NotificationItemView {
  commentId: string;
  authorHandle: string;
  /** The author's name as the platform gives it, and the platform (a Facebook commenter is known by name). */
  authorName: string;
  platform: string;
  text: string;
  redacted: boolean;
}

export const listNotificationsInput = z.object({
  /** The `next` of the previous page. */
  before: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(25),
  unread: z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]).optional(),
});
export type ListNotificationsInput = z.input<typeof listNotificationsInput>;

export interface NotificationView {
  id: string;
  schoolId: string;
  event: string;
  urgency: 'urgent' | 'normal';
  title: string;
  body: string;
  link: string | null;
  read: boolean;
  createdAt: Date;
  /** The comments a digest lists (flags batched per person), oldest first; empty for the rest. */
  items: NotificationItemView[];
}

const encodeCursor = (at: Date, id: string) => Buffer.from(`${at.toISOString()}|${id}`).toString('base64url');

function decodeCursor(cursor: string): { at: Date; id: string } {
  const [iso, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const at = new Date(iso ?? '');
  if (!id || !/^[0-9a-f-]{36}$/.test(id) || Number.isNaN(at.getTime()))
    throw invalidInput('before: not a cursor this list gave out');
  return { at, id };
}

/** The signed-in person's own notifications, newest first, a page at a time (keyset). */
export async function listNotifications(
  ctx: ServiceContext,
  raw: ListNotificationsInput = {},
): Promise<{ items: NotificationView[]; next: string | null }> {
  const input = listNotificationsInput.parse(raw);
  const userId = requireUserId(ctx);
  const after = input.before ? decodeCursor(input.before) : null;
  const rows = await queryable(ctx)
    .select()
    .from(notifications)
    .where(
      and(
        eq(notifications.userId, userId),
        input.unread ? isNull(notifications.readAt) : undefined,
        after
          ? or(
              lt(notifications.createdAt, after.at),
              and(eq(notifications.createdAt, after.at), lt(notifications.id, after.id)),
            )
          : undefined,
      ),
    )
    .orderBy(desc(notifications.createdAt), desc(notifications.id))
    .limit(input.limit + 1);
  const page = rows.slice(0, input.limit);
  const last = page.at(-1);
  const itemRows = page.length
    ? await queryable(ctx)
        .select({
          notificationId: notificationItems.notificationId,
          commentId: comments.id,
          authorHandle: comments.authorHandle,
          authorName: comments.authorName,
          platform: socialAccounts.platform,
          text: comments.text,
          redactedAt: comments.redactedAt,
        })
        .from(notificationItems)
        .innerJoin(comments, eq(comments.id, notificationItems.commentId))
        .innerJoin(socialAccounts, eq(socialAccounts.id, comments.accountId))
        .where(
          inArray(
            notificationItems.notificationId,
            page.map((n) => n.id),
          ),
        )
        .orderBy(asc(notificationItems.createdAt), asc(notificationItems.id))
    : [];
  const itemsOf = new Map<string, NotificationItemView[]>();
  for (const r of itemRows) {
    const list = itemsOf.get(r.notificationId) ?? [];
    list.push({
      commentId: r.commentId,
      authorHandle: r.redactedAt ? '' : r.authorHandle,
      authorName: r.redactedAt ? '' : r.authorName,
      platform: r.platform,
      text: r.redactedAt ? '' : excerpt(r.text),
      redacted: r.redactedAt !== null,
    });
    itemsOf.set(r.notificationId, list);
  }
  return {
    items: page.map((n) => ({
      id: n.id,
      schoolId: n.schoolId,
      event: n.event,
      urgency: n.urgency,
      title: n.title,
      body: n.body,
      link: n.link,
      read: n.readAt !== null,
      createdAt: n.createdAt,
      items: itemsOf.get(n.id) ?? [],
    })),
    next: rows.length > input.limit && last ? encodeCursor(last.createdAt, last.id) : null,
  };
}

/** How many of the person's notifications are unread: the number on the bell. */
export async function countUnread(ctx: ServiceContext): Promise<{ unread: number }> {
  const userId = requireUserId(ctx);
  const [row] = await queryable(ctx)
    .select({ n: count() })
    .from(notifications)
    .where(and(eq(notifications.userId, userId), isNull(notifications.readAt)));
  return { unread: row?.n ?? 0 };
}
