import type { SchoolRole } from '../../db/schema/index.js';

/** A signed-in person and what they may do where: roles are held per school. */
export interface Principal {
  userId: string;
  trustId: string;
  displayName: string;
  email: string;
  rolesBySchool: ReadonlyMap<string, ReadonlySet<SchoolRole>>;
  /** Accounts this user administers (P4), with the school each belongs to. */
  adminOfAccounts: ReadonlyMap<string, string>;
}

export function hasRole(principal: Principal, schoolId: string, roles: readonly SchoolRole[]): boolean {
  const held = principal.rolesBySchool.get(schoolId);
  return !!held && roles.some((r) => held.has(r));
}

/** Whether the person holds one of `roles` at any of their schools. */
export function hasRoleAnywhere(principal: Principal, roles: readonly SchoolRole[]): boolean {
  for (const held of principal.rolesBySchool.values()) if (roles.some((r) => held.has(r))) return true;
  return false;
}
