import type { Principal } from '../core/principal.js';

/** The signed-in person as the UI sees them: who, which roles at which school, which accounts. */
export function describePrincipal(principal: Principal) {
  return {
    user: {
      id: principal.userId,
      email: principal.email,
      displayName: principal.displayName,
      trustId: principal.trustId,
    },
    schools: [...principal.rolesBySchool].map(([schoolId, roles]) => ({
      schoolId,
      roles: [...roles].sort(),
    })),
    adminOfAccounts: [...principal.adminOfAccounts].map(([accountId, schoolId]) => ({ accountId, schoolId })),
  };
}
