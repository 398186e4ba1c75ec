import { and, eq, inArray, isNull } from 'drizzle-orm';
import type { Queryable, Transaction } from '../../db/client.js';
import { accountAdmins, memberships, notifications, type SchoolRole, users } from '../../db/schema/index.js';

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

/** Records in-app notifications in the caller's transaction, one per distinct recipient. */
export async function notifyUsers(tx: Transaction, input: NotificationInput): Promise<string[]> {
  const recipients = [...new Set(input.userIds)];
  if (recipients.length === 0) return [];
  const rows = await tx
    .insert(notifications)
    .values(
      recipients.map((userId) => ({
        schoolId: input.schoolId,
        userId,
        event: input.event,
        urgency: input.urgency,
        title: input.title,
        body: input.body,
        link: input.link ?? null,
        subjectType: input.subject?.type ?? null,
        subjectId: input.subject?.id ?? null,
      })),
    )
    .returning({ id: notifications.id });
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
