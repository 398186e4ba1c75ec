import { and, eq } from 'drizzle-orm';
import type { Queryable } from '../../db/client.js';
import { memberships, type User, users } from '../../db/schema/index.js';
import type { ServiceContext } from '../core/service-context.js';
import { forbidden, notFound } from '../core/service-error.js';

/** The schools where the signed-in person is trust admin; null for the system (everywhere). */
export function trustAdminSchoolIds(ctx: ServiceContext): string[] | null {
  if (ctx.actor.type === 'system') return null;
  const principal = ctx.principal;
  if (!principal) return [];
  return [...principal.rolesBySchool].filter(([, roles]) => roles.has('trust_admin')).map(([id]) => id);
}

export function assertTrustAdminSomewhere(ctx: ServiceContext, doing: string): void {
  const schools = trustAdminSchoolIds(ctx);
  if (schools !== null && schools.length === 0) {
    throw forbidden(`Only trust admin staff may ${doing}`);
  }
}

export interface ManagedUser {
  user: User;
  /** Every school where the user holds a role. */
  schoolIds: string[];
}

/**
 * Loads a user a trust admin is about to change. Someone in another trust, or only at schools
 * outside the caller's scope, is NOT_FOUND. With `wholeUser` (password, disable), the caller must
 * be trust admin at every school where the user holds a role: changing the person changes all of
 * their roles, so a trust admin of one school cannot take over a colleague at another.
 */
export async function loadManagedUser(
  db: Queryable,
  ctx: ServiceContext,
  userId: string,
  options: { doing: string; wholeUser: boolean },
): Promise<ManagedUser> {
  const [user] = await db.select().from(users).where(eq(users.id, userId));
  const adminSchools = trustAdminSchoolIds(ctx);
  if (!user) throw notFound('User');
  if (adminSchools === null) return { user, schoolIds: await schoolsOf(db, userId) };
  if (!ctx.principal || user.trustId !== ctx.principal.trustId) throw notFound('User');

  const schoolIds = await schoolsOf(db, userId);
  const scope = ctx.schoolIds ?? [];
  if (schoolIds.length > 0 && !schoolIds.some((s) => scope.includes(s))) throw notFound('User');
  if (adminSchools.length === 0) throw forbidden(`Only trust admin staff may ${options.doing}`);
  if (options.wholeUser && !schoolIds.every((s) => adminSchools.includes(s))) {
    throw forbidden(`Only a trust admin of every school this person works at may ${options.doing}`);
  }
  return { user, schoolIds };
}

async function schoolsOf(db: Queryable, userId: string): Promise<string[]> {
  const rows = await db
    .selectDistinct({ schoolId: memberships.schoolId })
    .from(memberships)
    .where(and(eq(memberships.userId, userId)));
  return rows.map((r) => r.schoolId);
}

export function userLabel(user: Pick<User, 'id' | 'displayName'>) {
  return { type: 'user', id: user.id, label: user.displayName } as const;
}
