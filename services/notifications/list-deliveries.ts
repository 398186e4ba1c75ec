import { and, desc, eq, inArray, lt, or, sql } from 'drizzle-orm';
import { z } from 'zod';
import { notificationDeliveries, notifications, schoolWebhooks, users } from '../../db/schema/index.js';
import { assertRole } from '../core/authorization.js';
import { queryable, type ServiceContext } from '../core/service-context.js';
import { invalidInput } from '../core/service-error.js';

export const listDeliveriesInput = z.object({
  schoolId: z.uuid(),
  /** `problems`: failed and bounced only. */
  status: z.enum(['pending', 'digest', 'sent', 'failed', 'bounced', 'problems']).optional(),
  before: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export type ListDeliveriesInput = z.input<typeof listDeliveriesInput>;

export interface DeliveryView {
  id: string;
  notificationId: string;
  event: string;
  title: string;
  urgency: 'urgent' | 'normal';
  channel: 'email' | 'webhook';
  /** The email address, or the webhook's label (never its URL). */
  target: string;
  recipient: string | null;
  status: 'pending' | 'digest' | 'sent' | 'failed' | 'bounced';
  attempts: number;
  lastError: string | null;
  sentAt: Date | null;
  createdAt: Date;
}

const encode = (at: Date, id: string) => Buffer.from(`${at.toISOString()}|${id}`).toString('base64url');

/** The school's delivery log, newest first (trust admins): where failures and bounces show. */
export async function listDeliveries(
  ctx: ServiceContext,
  raw: ListDeliveriesInput,
): Promise<{ items: DeliveryView[]; next: string | null }> {
  const input = listDeliveriesInput.parse(raw);
  assertRole(ctx, input.schoolId, ['trust_admin'], 'read the notification delivery log');
  let after: { at: Date; id: string } | null = null;
  if (input.before) {
    const [iso, id] = Buffer.from(input.before, 'base64url').toString('utf8').split('|');
    const at = new Date(iso ?? '');
    if (!id || !/^[0-9a-f-]{36}$/.test(id) || Number.isNaN(at.getTime()))
      throw invalidInput('before: not a cursor this list gave out');
    after = { at, id };
  }
  const d = notificationDeliveries;
  const rows = await queryable(ctx)
    .select({ d, n: notifications, recipient: users.displayName, hookLabel: schoolWebhooks.label })
    .from(d)
    .innerJoin(notifications, eq(notifications.id, d.notificationId))
    .leftJoin(users, eq(users.id, notifications.userId))
    // target holds the webhook id for webhook deliveries; the join is on text.
    .leftJoin(schoolWebhooks, and(eq(d.channel, 'webhook'), sql`${d.target} = ${schoolWebhooks.id}::text`))
    .where(
      and(
        eq(d.schoolId, input.schoolId),
        input.status === 'problems'
          ? inArray(d.status, ['failed', 'bounced'])
          : input.status
            ? eq(d.status, input.status)
            : undefined,
        after ? or(lt(d.createdAt, after.at), and(eq(d.createdAt, after.at), lt(d.id, after.id))) : undefined,
      ),
    )
    .orderBy(desc(d.createdAt), desc(d.id))
    .limit(input.limit + 1);
  const page = rows.slice(0, input.limit);
  const last = page.at(-1);
  return {
    items: page.map(({ d: row, n, recipient, hookLabel }) => ({
      id: row.id,
      notificationId: n.id,
      event: n.event,
      title: n.title,
      urgency: n.urgency,
      channel: row.channel,
      target: row.channel === 'webhook' ? (hookLabel ?? 'a removed webhook') : row.target,
      recipient: row.channel === 'email' ? recipient : null,
      status: row.status,
      attempts: row.attempts,
      lastError: row.lastError,
      sentAt: row.sentAt,
      createdAt: row.createdAt,
    })),
    next: rows.length > input.limit && last ? encode(last.d.createdAt, last.d.id) : null,
  };
}
