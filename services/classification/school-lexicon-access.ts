import { eq } from 'drizzle-orm';
import type { Queryable } from '../../db/client.js';
import { type SchoolRole, schools } from '../../db/schema/index.js';
import { assertInScope, assertRole } from '../core/authorization.js';
import type { ServiceContext } from '../core/service-context.js';
import { notFound } from '../core/service-error.js';

/** Who may change a school's own terms and allow-list; comms may read them. */
export const LEXICON_EDITORS: readonly SchoolRole[] = ['trust_admin', 'senior_leader'];
export const LEXICON_READERS: readonly SchoolRole[] = [...LEXICON_EDITORS, 'comms'];
/** Pupils' names are safeguarding data: only the DSL and trust admins import, list or remove them. */
export const ROSTER_KEEPERS: readonly SchoolRole[] = ['safeguarding_lead', 'trust_admin'];

/**
 * The school, after the scope check (another school's answers 404) and the role check (403). With
 * `forUpdate` the school row is locked, which serialises concurrent changes to one school's lists.
 */
export async function loadSchoolFor(
  ctx: ServiceContext,
  db: Queryable,
  schoolId: string,
  roles: readonly SchoolRole[],
  doing: string,
  options: { forUpdate?: boolean } = {},
): Promise<{ id: string; name: string }> {
  assertInScope(ctx, schoolId, 'That school');
  const query = db
    .select({ id: schools.id, name: schools.name })
    .from(schools)
    .where(eq(schools.id, schoolId));
  const [school] = options.forUpdate ? await query.for('update') : await query;
  if (!school) throw notFound('That school');
  assertRole(ctx, schoolId, roles, doing);
  return school;
}
