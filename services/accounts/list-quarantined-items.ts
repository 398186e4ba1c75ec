import { desc, eq } from 'drizzle-orm';
import { z } from 'zod';
import { quarantinedItems } from '../../db/schema/index.js';
import { queryable, type ServiceContext } from '../core/service-context.js';
import { assertAdminOrRole, loadAccount } from './account-access.js';

export const listQuarantinedItemsInput = z.object({
  accountId: z.uuid(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export const quarantinedItemViewSchema = z.object({
  id: z.uuid(),
  accountId: z.uuid(),
  externalId: z.string().nullable(),
  reason: z.string(),
  /** as the platform sent it: untrusted public text */
  rawItem: z.string(),
  createdAt: z.string(),
});
export type QuarantinedItemView = z.infer<typeof quarantinedItemViewSchema>;

/**
 * Items a poll of the account could not read and kept aside, newest first: for its admins (and
 * senior leaders), who read them here or in the platform's own app. Another school's account
 * answers NOT_FOUND.
 */
export async function listQuarantinedItems(
  ctx: ServiceContext,
  raw: z.input<typeof listQuarantinedItemsInput>,
): Promise<QuarantinedItemView[]> {
  const input = listQuarantinedItemsInput.parse(raw);
  const db = queryable(ctx);
  const account = await loadAccount(ctx, db, input.accountId);
  assertAdminOrRole(ctx, account, ['senior_leader'], 'read the comments a poll could not read');
  const rows = await db
    .select()
    .from(quarantinedItems)
    .where(eq(quarantinedItems.accountId, account.id))
    .orderBy(desc(quarantinedItems.createdAt), desc(quarantinedItems.id))
    .limit(input.limit);
  return rows.map((r) => ({
    id: r.id,
    accountId: r.accountId,
    externalId: r.externalId,
    reason: r.reason,
    rawItem: r.rawItem,
    createdAt: r.createdAt.toISOString(),
  }));
}
