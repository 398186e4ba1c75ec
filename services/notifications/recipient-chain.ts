import { and, eq, inArray, isNull } from 'drizzle-orm';
import type { Queryable } from '../../db/client.js';
import { memberships, type SchoolRole, schools, users } from '../../db/schema/index.js';
import { schoolRoleUserIds } from './notify-users.js';

/** Who a chain reached: the first link with anyone in it. */
export interface ChainRecipients {
  userIds: string[];
  /** The roles of the link that answered; `trust_admin_of_trust`: the trust's admins at other schools. */
  via: SchoolRole | 'trust_admin_of_trust';
  /** True when the first link was empty and a later one took its place. */
  fallback: boolean;
}

/**
 * An escalation never goes to nobody (P7, P8): the roles are tried in order at the school, then
 * the school's trust admins, then trust admins anywhere in the school's trust. Only a trust with
 * no enabled trust admin at all answers empty, and then `via` says so.
 */
export async function recipientChain(
  db: Queryable,
  schoolId: string,
  chain: readonly SchoolRole[],
  exclude?: string,
): Promise<ChainRecipients> {
  const links: SchoolRole[] = [...chain];
  if (!links.includes('trust_admin')) links.push('trust_admin');
  for (const [i, role] of links.entries()) {
    const ids = (await schoolRoleUserIds(db, schoolId, [role])).filter((id) => id !== exclude);
    if (ids.length) return { userIds: ids, via: role, fallback: i > 0 };
  }
  const [school] = await db
    .select({ trustId: schools.trustId })
    .from(schools)
    .where(eq(schools.id, schoolId));
  const rows = school
    ? await db
        .selectDistinct({ id: memberships.userId })
        .from(memberships)
        .innerJoin(users, eq(users.id, memberships.userId))
        .innerJoin(schools, eq(schools.id, memberships.schoolId))
        .where(
          and(
            eq(schools.trustId, school.trustId),
            inArray(memberships.role, ['trust_admin']),
            isNull(users.disabledAt),
          ),
        )
    : [];
  return {
    userIds: rows.map((r) => r.id).filter((id) => id !== exclude),
    via: 'trust_admin_of_trust',
    fallback: true,
  };
}

/** How a notification says who it reached in place of the first link. */
export function fallbackNote(via: ChainRecipients['via'], missing: string): string {
  const who =
    via === 'trust_admin_of_trust'
      ? "the trust's admins"
      : via === 'trust_admin'
        ? "the school's trust admins"
        : `the school's ${via.replaceAll('_', ' ')}s`;
  return `The school has no ${missing} in Hallmonitor, so ${who} are told.`;
}
