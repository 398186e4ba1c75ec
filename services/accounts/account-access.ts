import { and, eq, inArray } from 'drizzle-orm';
import type { Queryable, Transaction } from '../../db/client.js';
import {
  type AccountStatus,
  type SchoolRole,
  type SocialAccount,
  socialAccounts,
} from '../../db/schema/index.js';
import { assertInScope } from '../core/authorization.js';
import { hasRole } from '../core/principal.js';
import type { ServiceContext } from '../core/service-context.js';
import { conflict, forbidden, notFound } from '../core/service-error.js';
import { accountLabel } from './account-label.js';

/**
 * Loads an account the caller may see. Another school's account answers NOT_FOUND, so a user
 * never learns it exists. `forUpdate` locks the row until the transaction ends.
 */
export async function loadAccount(
  ctx: ServiceContext,
  db: Queryable,
  accountId: string,
  options: { forUpdate?: boolean } = {},
): Promise<SocialAccount> {
  const query = db.select().from(socialAccounts).where(eq(socialAccounts.id, accountId));
  const [account] = options.forUpdate ? await query.for('update') : await query;
  if (!account) throw notFound('That account');
  assertInScope(ctx, account.schoolId, 'That account');
  return account;
}

export function isAccountAdmin(ctx: ServiceContext, accountId: string): boolean {
  return ctx.actor.type === 'system' || !!ctx.principal?.adminOfAccounts.has(accountId);
}

export function holdsRole(ctx: ServiceContext, schoolId: string, roles: readonly SchoolRole[]): boolean {
  return ctx.actor.type === 'system' || (!!ctx.principal && hasRole(ctx.principal, schoolId, roles));
}

/** For steps either one of the account's admins or a school role (usually senior leaders) may take. */
export function assertAdminOrRole(
  ctx: ServiceContext,
  account: Pick<SocialAccount, 'id' | 'schoolId'>,
  roles: readonly SchoolRole[],
  doing: string,
): void {
  if (isAccountAdmin(ctx, account.id) || holdsRole(ctx, account.schoolId, roles)) return;
  throw forbidden(
    `Only the account's admins or ${roles.map((r) => r.replace('_', ' ')).join(' or ')} staff may ${doing}`,
  );
}

/**
 * The one way an account changes status: `UPDATE … WHERE id = $1 AND status IN (…) RETURNING *`.
 * No row back means someone else moved it first.
 */
export async function transitionAccount(
  tx: Transaction,
  account: SocialAccount,
  from: readonly AccountStatus[],
  set: Partial<typeof socialAccounts.$inferInsert>,
  doing: string,
): Promise<SocialAccount> {
  const [updated] = await tx
    .update(socialAccounts)
    .set({ ...set, updatedAt: new Date() })
    .where(and(eq(socialAccounts.id, account.id), inArray(socialAccounts.status, [...from])))
    .returning();
  if (!updated) {
    throw conflict(
      `${accountLabel(account)} cannot be ${doing}: it is ${account.status}, and only ${from.join(' or ')} accounts can be`,
      { status: account.status },
    );
  }
  return updated;
}

/** Statuses in which an account has been approved and not yet retired. */
export const GOVERNED_STATUSES = ['approved', 'connected', 'active', 'suspended'] as const;

export function addMonths(date: Date, months: number): Date {
  const result = new Date(date);
  result.setUTCMonth(result.getUTCMonth() + months);
  return result;
}
