import { and, asc, eq, inArray, isNull } from 'drizzle-orm';
import { memberships, schools, users } from '../../db/schema/index.js';
import { queryable, type ServiceContext } from '../core/service-context.js';

export interface SchoolStaff {
  schoolId: string;
  schoolName: string;
  people: { userId: string; displayName: string }[];
}

/**
 * The enabled staff of each of the caller's schools, for choosing an account's admins. Only the
 * caller's own schools; names only, no emails or roles.
 */
export async function listSchoolStaff(ctx: ServiceContext): Promise<SchoolStaff[]> {
  const schoolIds = ctx.schoolIds === null ? null : [...ctx.schoolIds];
  if (schoolIds !== null && schoolIds.length === 0) return [];
  const db = queryable(ctx);
  const schoolRows = await db
    .select({ id: schools.id, name: schools.name })
    .from(schools)
    .where(schoolIds ? inArray(schools.id, schoolIds) : undefined)
    .orderBy(asc(schools.name));
  const rows = await db
    .selectDistinct({ schoolId: memberships.schoolId, userId: users.id, displayName: users.displayName })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(schoolIds ? inArray(memberships.schoolId, schoolIds) : undefined, isNull(users.disabledAt)))
    .orderBy(asc(users.displayName));
  return schoolRows.map((s) => ({
    schoolId: s.id,
    schoolName: s.name,
    people: rows
      .filter((r) => r.schoolId === s.id)
      .map((r) => ({ userId: r.userId, displayName: r.displayName })),
  }));
}
