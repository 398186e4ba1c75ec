import type { SchoolRole } from '../../db/schema/index.js';
import { hasRole } from './principal.js';
import type { ServiceContext } from './service-context.js';
import { ServiceError } from './service-error.js';

/**
 * Another school's data answers NOT_FOUND, not FORBIDDEN: a user must not learn that it exists.
 */
export function assertInScope(ctx: ServiceContext, schoolId: string, what: string): void {
  if (ctx.schoolIds !== null && !ctx.schoolIds.includes(schoolId)) {
    throw new ServiceError('NOT_FOUND', `${what} was not found`);
  }
}

/** The system acts everywhere; a person needs one of the roles at that school. */
export function assertRole(
  ctx: ServiceContext,
  schoolId: string,
  roles: readonly SchoolRole[],
  doing: string,
): void {
  assertInScope(ctx, schoolId, 'That item');
  if (ctx.actor.type === 'system') return;
  if (!ctx.principal || !hasRole(ctx.principal, schoolId, roles)) {
    throw new ServiceError(
      'FORBIDDEN',
      `Only ${roles.map((r) => r.replace('_', ' ')).join(' or ')} staff may ${doing}`,
    );
  }
}

export function assertAccountAdmin(ctx: ServiceContext, accountId: string, doing: string): void {
  if (ctx.actor.type === 'system') return;
  if (!ctx.principal?.adminOfAccounts.has(accountId)) {
    throw new ServiceError('FORBIDDEN', `Only the account's assigned admins may ${doing}`);
  }
}

export function requireUserId(ctx: ServiceContext): string {
  if (ctx.actor.type !== 'user') throw new ServiceError('FORBIDDEN', 'This needs a signed-in person');
  return ctx.actor.id;
}
