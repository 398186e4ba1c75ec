import { and, eq, isNull } from 'drizzle-orm';
import { z } from 'zod';
import { notifications } from '../../db/schema/index.js';
import { requireUserId } from '../core/authorization.js';
import { queryable, type ServiceContext } from '../core/service-context.js';
import { notFound } from '../core/service-error.js';

/**
 * Marks one of the person's own notifications read. Someone else's answers 404, as if it did not
 * exist. Reading is not audited: it changes nothing anyone else relies on.
 */
export async function markNotificationRead(
  ctx: ServiceContext,
  raw: { notificationId: string },
): Promise<{ id: string; read: true }> {
  const { notificationId } = z.object({ notificationId: z.uuid() }).parse(raw);
  const userId = requireUserId(ctx);
  const db = queryable(ctx);
  const mine = and(eq(notifications.id, notificationId), eq(notifications.userId, userId));
  const [row] = await db.select({ id: notifications.id }).from(notifications).where(mine);
  if (!row) throw notFound('That notification');
  await db
    .update(notifications)
    .set({ readAt: new Date() })
    .where(and(mine, isNull(notifications.readAt)));
  return { id: row.id, read: true };
}

/** Marks every unread notification of the person read. */
export async function markAllNotificationsRead(ctx: ServiceContext): Promise<{ marked: number }> {
  const userId = requireUserId(ctx);
  const rows = await queryable(ctx)
    .update(notifications)
    .set({ readAt: new Date() })
    .where(and(eq(notifications.userId, userId), isNull(notifications.readAt)))
    .returning({ id: notifications.id });
  return { marked: rows.length };
}
