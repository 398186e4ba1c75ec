import { index, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { createSelectSchema } from 'drizzle-zod';
import { createdAt, id } from './columns.js';
import { socialAccounts } from './social-accounts.js';

/**
 * An item of a fetched page that failed validation on its own, kept raw for the account's admins
 * while the rest of the page was stored. Unique per account and item, so a page fetched again does
 * not quarantine it twice.
 */
export const quarantinedItems = pgTable(
  'quarantined_items',
  {
    id: id(),
    accountId: uuid('account_id')
      .notNull()
      .references(() => socialAccounts.id),
    /** the platform's id, or `sha256:` and a digest of the raw item when it had no readable id */
    itemKey: text('item_key').notNull(),
    externalId: text('external_id'),
    reason: text('reason').notNull(),
    /** as the platform sent it, bounded; public text, so shown only to the account's admins */
    rawItem: text('raw_item').notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('quarantined_items_account_item_unique').on(t.accountId, t.itemKey),
    index('quarantined_items_account_idx').on(t.accountId, t.createdAt),
  ],
);

export const quarantinedItemSelectSchema = createSelectSchema(quarantinedItems);
export type QuarantinedItemRow = typeof quarantinedItems.$inferSelect;
