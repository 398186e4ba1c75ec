import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { Queryable, Transaction } from '../../db/client.js';
import {
  accountAdmins,
  memberships,
  notificationDeliveries,
  notifications,
  type SchoolRole,
  schoolWebhooks,
  users,
} from '../../db/schema/index.js';
import { isAlwaysUrgent, isPersonal } from './notification-events.js';
import { choiceKey, DEFAULT_CHOICE, effectiveChoice, loadChoices } from './preference-rules.js';

export interface NotificationInput {
  schoolId: string;
  userIds: readonly string[];
  event: string;
  urgency: 'urgent' | 'normal';
  /** Never comment text: titles become email subject lines. */
  title: string;
  body: string;
  link?: string;
  subject?: { type: string; id: string };
}

/** Postgres channel on which committed deliveries are announced to the workers. */
export const DELIVERY_CHANNEL = 'hallmonitor_notify_deliveries';
/** pg_notify payloads are limited to 8000 bytes: announce delivery ids in batches. */
const ANNOUNCE_BATCH = 150;

/**
 * Records notifications in the caller's transaction, one per distinct recipient, together with
 * their outbox: a delivery row per email and school webhook the recipients' preferences ask for
 * (urgent events: every channel, at once, whatever the preferences). The ids of deliveries due now
 * are announced with pg_notify, which Postgres sends only if the transaction commits; the worker's
 * listener enqueues a `notify` job for each, and a relay picks up any whose announcement was lost.
 */
export async function notifyUsers(tx: Transaction, input: NotificationInput): Promise<string[]> {
  const recipients = [...new Set(input.userIds)];
  if (recipients.length === 0) return [];
  const urgent = input.urgency === 'urgent' || isAlwaysUrgent(input.event);
  const choices = await loadChoices(tx, recipients, [input.event]);
  const choiceOf = (userId: string) =>
    effectiveChoice(choices.get(choiceKey(userId, input.event)) ?? { ...DEFAULT_CHOICE }, urgent);
  const now = new Date();
  const rows = await tx
    .insert(notifications)
    .values(
      recipients.map((userId) => ({
        schoolId: input.schoolId,
        userId,
        event: input.event,
        urgency: urgent ? ('urgent' as const) : ('normal' as const),
        title: input.title,
        body: input.body,
        link: input.link ?? null,
        subjectType: input.subject?.type ?? null,
        subjectId: input.subject?.id ?? null,
        // In-app turned off: kept for the record, but it never lights the bell.
        readAt: choiceOf(userId).inApp ? null : now,
      })),
    )
    .returning({ id: notifications.id, userId: notifications.userId });

  const people = await tx
    .select({ id: users.id, email: users.email })
    .from(users)
    .where(and(inArray(users.id, recipients), isNull(users.disabledAt)));
  const emailOf = new Map(people.map((p) => [p.id, p.email]));
  const deliveries: (typeof notificationDeliveries.$inferInsert)[] = [];
  for (const row of rows) {
    const choice = choiceOf(row.userId);
    const email = emailOf.get(row.userId);
    if (!choice.email || !email) continue;
    deliveries.push({
      notificationId: row.id,
      schoolId: input.schoolId,
      channel: 'email',
      target: email,
      status: choice.digest ? 'digest' : 'pending',
    });
  }
  // The school's channel hears of an event once, not once per recipient, if anyone wants it there.
  const wanting = isPersonal(input.event) ? undefined : rows.find((r) => choiceOf(r.userId).webhook);
  if (wanting) {
    const hooks = await tx
      .select({ id: schoolWebhooks.id })
      .from(schoolWebhooks)
      .where(and(eq(schoolWebhooks.schoolId, input.schoolId), eq(schoolWebhooks.enabled, true)));
    for (const hook of hooks) {
      deliveries.push({
        notificationId: wanting.id,
        schoolId: input.schoolId,
        channel: 'webhook',
        target: hook.id,
        status: 'pending',
      });
    }
  }
  if (deliveries.length) {
    const written = await tx
      .insert(notificationDeliveries)
      .values(deliveries)
      .returning({ id: notificationDeliveries.id, status: notificationDeliveries.status });
    const due = written.filter((d) => d.status === 'pending').map((d) => d.id);
    for (let i = 0; i < due.length; i += ANNOUNCE_BATCH) {
      const batch = due.slice(i, i + ANNOUNCE_BATCH).join(',');
      await tx.execute(sql`select pg_notify(${DELIVERY_CHANNEL}, ${batch})`);
    }
  }
  return rows.map((r) => r.id);
}

/** The account's assigned admins who are still enabled. */
export async function accountAdminIds(db: Queryable, accountId: string): Promise<string[]> {
  const rows = await db
    .select({ id: accountAdmins.userId })
    .from(accountAdmins)
    .innerJoin(users, eq(users.id, accountAdmins.userId))
    .where(and(eq(accountAdmins.accountId, accountId), isNull(users.disabledAt)));
  return rows.map((r) => r.id);
}

/** Enabled users holding any of these roles at the school. */
export async function schoolRoleUserIds(
  db: Queryable,
  schoolId: string,
  roles: SchoolRole[],
): Promise<string[]> {
  const rows = await db
    .selectDistinct({ id: memberships.userId })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(
      and(eq(memberships.schoolId, schoolId), inArray(memberships.role, roles), isNull(users.disabledAt)),
    );
  return rows.map((r) => r.id);
}
