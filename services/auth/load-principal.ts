import type { SchoolRole } from '../../db/schema/index.js';
import type { Principal } from '../core/principal.js';

/**
 * A user's row with their roles and administered accounts aggregated as JSON pairs, as read by
 * resolveSession (services/auth/session-store.ts) in the same statement as the session.
 */
export interface PrincipalRow {
  id: string;
  trust_id: string;
  display_name: string;
  email: string;
  /** [schoolId, role] per membership. */
  roles: [string, SchoolRole][];
  /** [accountId, schoolId] per administered account. */
  admin_of: [string, string][];
}

/** Everything needed to scope and authorise one user's requests. */
export function principalFromRow(row: PrincipalRow): Principal {
  const rolesBySchool = new Map<string, Set<SchoolRole>>();
  for (const [schoolId, role] of row.roles) {
    const set = rolesBySchool.get(schoolId) ?? new Set<SchoolRole>();
    set.add(role);
    rolesBySchool.set(schoolId, set);
  }
  return {
    userId: row.id,
    trustId: row.trust_id,
    displayName: row.display_name,
    email: row.email,
    rolesBySchool,
    adminOfAccounts: new Map(row.admin_of),
  };
}

/** The schools a principal may see: where they hold a role or administer an account. */
export function principalSchoolIds(principal: Principal): string[] {
  return [...new Set([...principal.rolesBySchool.keys(), ...principal.adminOfAccounts.values()])];
}
