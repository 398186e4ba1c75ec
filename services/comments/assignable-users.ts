import { and, asc, eq, inArray, isNull, or, type SQL } from 'drizzle-orm';
import type { Queryable } from '../../db/client.js';
import { accountAdmins, memberships, users } from '../../db/schema/index.js';

/**
 * Who may be assigned a comment on an account: enabled comms staff and senior leaders of its
 * school, and the account's own admins. `onlyUserId` narrows the list to one person (to check an
 * assignee); the list is ordered by name.
 */
export async function assignableUsers(
  db: Queryable,
  scope: { schoolId: string; accountId: string },
  options: { onlyUserId?: string; limit?: number } = {},
): Promise<{ id: string; name: string }[]> {
  const conditions: SQL[] = [
    isNull(users.disabledAt),
    or(eq(memberships.userId, users.id), eq(accountAdmins.userId, users.id))!,
  ];
  if (options.onlyUserId) conditions.push(eq(users.id, options.onlyUserId));
  return db
    .selectDistinct({ id: users.id, name: users.displayName })
    .from(users)
    .leftJoin(
      memberships,
      and(
        eq(memberships.userId, users.id),
        eq(memberships.schoolId, scope.schoolId),
        inArray(memberships.role, ['comms', 'senior_leader']),
      ),
    )
    .leftJoin(
      accountAdmins,
      and(eq(accountAdmins.userId, users.id), eq(accountAdmins.accountId, scope.accountId)),
    )
    .where(and(...conditions))
    .orderBy(asc(users.displayName))
    .limit(options.limit ?? 200);
}
