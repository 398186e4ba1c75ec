import { and, eq, isNull } from 'drizzle-orm';
import type { Queryable } from '../../db/client.js';
import { accountAdmins, memberships, type SchoolRole, socialAccounts, users } from '../../db/schema/index.js';
import type { Principal } from '../core/principal.js';

/** Everything needed to scope and authorise one user's requests; null for a disabled user. */
export async function loadPrincipal(db: Queryable, userId: string): Promise<Principal | null> {
  const [user] = await db
    .select()
    .from(users)
    .where(and(eq(users.id, userId), isNull(users.disabledAt)));
  if (!user) return null;
  const [roles, admin] = await Promise.all([
    db
      .select({ schoolId: memberships.schoolId, role: memberships.role })
      .from(memberships)
      .where(eq(memberships.userId, userId)),
    db
      .select({ accountId: accountAdmins.accountId, schoolId: socialAccounts.schoolId })
      .from(accountAdmins)
      .innerJoin(socialAccounts, eq(socialAccounts.id, accountAdmins.accountId))
      .where(eq(accountAdmins.userId, userId)),
  ]);
  const rolesBySchool = new Map<string, Set<SchoolRole>>();
  for (const { schoolId, role } of roles) {
    const set = rolesBySchool.get(schoolId) ?? new Set<SchoolRole>();
    set.add(role);
    rolesBySchool.set(schoolId, set);
  }
  return {
    userId: user.id,
    trustId: user.trustId,
    displayName: user.displayName,
    email: user.email,
    rolesBySchool,
    adminOfAccounts: new Map(admin.map((a) => [a.accountId, a.schoolId])),
  };
}

/** The schools a principal may see: where they hold a role or administer an account. */
export function principalSchoolIds(principal: Principal): string[] {
  return [...new Set([...principal.rolesBySchool.keys(), ...principal.adminOfAccounts.values()])];
}
