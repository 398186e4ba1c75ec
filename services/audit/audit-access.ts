import type { SchoolRole } from '../../db/schema/index.js';
import type { ServiceContext } from '../core/service-context.js';
import { ServiceError } from '../core/service-error.js';

/**
 * Who may read the audit log: auditors (their role), trust admins (they answer for the trust) and
 * senior leaders (they answer for the school). Each sees only their own schools' entries.
 */
export const AUDIT_READERS: readonly SchoolRole[] = ['auditor', 'trust_admin', 'senior_leader'];
/** Who may verify the whole chain, sign a checkpoint on demand, and export. */
export const AUDIT_VERIFIERS: readonly SchoolRole[] = ['auditor', 'trust_admin'];
/** Who may answer a subject access request (export everything about one platform user). */
export const SUBJECT_ACCESS_ROLES: readonly SchoolRole[] = ['safeguarding_lead', 'trust_admin'];
/** Who may erase a platform user's data on request: it cannot be undone. */
export const ERASURE_ROLES: readonly SchoolRole[] = ['trust_admin'];

const describe = (roles: readonly SchoolRole[]) => roles.map((r) => r.replace('_', ' ')).join(' or ');

/** The schools where the caller holds one of `roles`; null for the system (every school). */
export function schoolsWithRole(ctx: ServiceContext, roles: readonly SchoolRole[]): string[] | null {
  if (ctx.actor.type === 'system' && !ctx.principal) return ctx.schoolIds ? [...ctx.schoolIds] : null;
  const out: string[] = [];
  for (const [schoolId, held] of ctx.principal?.rolesBySchool ?? []) {
    if (ctx.schoolIds !== null && !ctx.schoolIds.includes(schoolId)) continue;
    if (roles.some((r) => held.has(r))) out.push(schoolId);
  }
  return out;
}

/** The schools the caller may act on with `roles`; FORBIDDEN when there are none. */
export function requireSchoolsWithRole(
  ctx: ServiceContext,
  roles: readonly SchoolRole[],
  doing: string,
): string[] | null {
  const schools = schoolsWithRole(ctx, roles);
  if (schools !== null && schools.length === 0) {
    throw new ServiceError('FORBIDDEN', `Only ${describe(roles)} staff may ${doing}`);
  }
  return schools;
}

/**
 * Narrows to one school when a filter names it: another school, or one where the caller lacks the
 * role, answers NOT_FOUND (a user must not learn that it exists).
 */
export function narrowToSchool(allowed: string[] | null, schoolId: string | undefined): string[] | null {
  if (!schoolId) return allowed;
  if (allowed !== null && !allowed.includes(schoolId)) {
    throw new ServiceError('NOT_FOUND', 'That school was not found');
  }
  return [schoolId];
}
