import { and, asc, eq, inArray, isNull } from 'drizzle-orm';
import { memberships, users } from '../../db/schema/index.js';
import { queryable, type ServiceContext } from '../core/service-context.js';

/**
 * The people the inbox offers as assignees and in its assignee filter: enabled comms staff and
 * senior leaders of the caller's schools, by name. (An account's admins who hold neither role can
 * still be chosen on the comment page.)
 */
export async function inboxPeople(ctx: ServiceContext): Promise<{ id: string; name: string }[]> {
  if (ctx.schoolIds !== null && ctx.schoolIds.length === 0) return [];
  return queryable(ctx)
    .selectDistinct({ id: users.id, name: users.displayName })
    .from(users)
    .innerJoin(memberships, eq(memberships.userId, users.id))
    .where(
      and(
        isNull(users.disabledAt),
        inArray(memberships.role, ['comms', 'senior_leader']),
        ctx.schoolIds === null ? undefined : inArray(memberships.schoolId, [...ctx.schoolIds]),
      ),
    )
    .orderBy(asc(users.displayName), asc(users.id))
    .limit(200);
}
