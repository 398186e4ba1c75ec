import { and, asc, eq, inArray, isNull, or } from 'drizzle-orm';
import { memberships, users } from '../../db/schema/index.js';
import type { ServiceContext } from '../core/service-context.js';
import { assertTrustAdminSomewhere, trustAdminSchoolIds } from './managed-user.js';

export interface ListedUser {
  id: string;
  email: string;
  displayName: string;
  disabled: boolean;
  ssoLinked: boolean;
  hasPassword: boolean;
  /** Only roles at schools the caller administers. */
  roles: { schoolId: string; role: string }[];
}

/**
 * The people a trust admin manages: everyone with a role at a school where the caller is trust
 * admin, and the trust's invited users who have no role yet.
 */
export async function listUsers(ctx: ServiceContext): Promise<ListedUser[]> {
  assertTrustAdminSomewhere(ctx, 'list people');
  const schools = trustAdminSchoolIds(ctx) ?? [];
  const trustId = ctx.principal?.trustId;
  if (!trustId || schools.length === 0) return [];

  const rows = await ctx.db
    .selectDistinct({
      id: users.id,
      email: users.email,
      displayName: users.displayName,
      disabledAt: users.disabledAt,
      ssoSubject: users.ssoSubject,
      passwordHash: users.passwordHash,
    })
    .from(users)
    .leftJoin(memberships, eq(memberships.userId, users.id))
    .where(
      and(eq(users.trustId, trustId), or(inArray(memberships.schoolId, schools), isNull(memberships.id))),
    )
    .orderBy(asc(users.displayName));
  if (rows.length === 0) return [];

  const roles = await ctx.db
    .select({ userId: memberships.userId, schoolId: memberships.schoolId, role: memberships.role })
    .from(memberships)
    .where(
      and(
        inArray(
          memberships.userId,
          rows.map((r) => r.id),
        ),
        inArray(memberships.schoolId, schools),
      ),
    );
  return rows.map((r) => ({
    id: r.id,
    email: r.email,
    displayName: r.displayName,
    disabled: r.disabledAt !== null,
    ssoLinked: r.ssoSubject !== null,
    hasPassword: r.passwordHash !== null,
    roles: roles.filter((m) => m.userId === r.id).map(({ schoolId, role }) => ({ schoolId, role })),
  }));
}
