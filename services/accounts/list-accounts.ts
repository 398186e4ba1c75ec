import { and, desc, eq, inArray, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import { ACCOUNT_STATUSES, socialAccounts } from '../../db/schema/index.js';
import { assertInScope } from '../core/authorization.js';
import type { ServiceContext } from '../core/service-context.js';
import { type AccountView, describeAccounts } from './account-view.js';

export const listAccountsInput = z.object({
  schoolId: z.uuid().optional(),
  status: z.enum(ACCOUNT_STATUSES).optional(),
});
export type ListAccountsInput = z.input<typeof listAccountsInput>;

/** Every account in the caller's schools, with its governance status. */
export async function listAccounts(ctx: ServiceContext, raw: ListAccountsInput = {}): Promise<AccountView[]> {
  const input = listAccountsInput.parse(raw);
  if (input.schoolId) assertInScope(ctx, input.schoolId, 'That school');
  const where: SQL[] = [];
  if (input.schoolId) where.push(eq(socialAccounts.schoolId, input.schoolId));
  else if (ctx.schoolIds !== null) {
    if (ctx.schoolIds.length === 0) return [];
    where.push(inArray(socialAccounts.schoolId, [...ctx.schoolIds]));
  }
  if (input.status) where.push(eq(socialAccounts.status, input.status));
  const db = ctx.tx ?? ctx.db;
  const rows = await db
    .select()
    .from(socialAccounts)
    .where(and(...where))
    .orderBy(desc(socialAccounts.createdAt))
    .limit(500);
  return describeAccounts(db, rows);
}
