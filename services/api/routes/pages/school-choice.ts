import type { SchoolRole } from '../../../../db/schema/index.js';
import { listSchoolStaff } from '../../../accounts/list-school-staff.js';
import { hasRole } from '../../../core/principal.js';
import type { ServiceContext } from '../../../core/service-context.js';
import { ServiceError } from '../../../core/service-error.js';

/** The person's schools where they hold one of `roles`, for a screen's school picker; none is a refusal. */
export async function schoolsWithRole(
  ctx: ServiceContext,
  roles: readonly SchoolRole[],
  doing: string,
): Promise<{ id: string; name: string }[]> {
  const principal = ctx.principal;
  const staff = await listSchoolStaff(ctx);
  const schools = staff
    .filter((s) => principal && hasRole(principal, s.schoolId, roles))
    .map((s) => ({ id: s.schoolId, name: s.schoolName }));
  if (schools.length === 0) {
    throw new ServiceError(
      'FORBIDDEN',
      `Only ${roles.map((r) => r.replace('_', ' ')).join(' or ')} staff may ${doing}`,
    );
  }
  return schools;
}
