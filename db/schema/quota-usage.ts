import { integer, pgTable, primaryKey, text, uuid } from 'drizzle-orm/pg-core';
import { createSelectSchema } from 'drizzle-zod';
import { updatedAt } from './columns.js';
import { socialAccounts } from './social-accounts.js';

/**
 * Units of a platform's daily quota an account spent (YouTube: per Pacific day, '2026-12-04'),
 * polls and actions together, so its poll interval can be planned and admins see the day's use.
 */
export const quotaUsage = pgTable(
  'quota_usage',
  {
    accountId: uuid('account_id')
      .notNull()
      .references(() => socialAccounts.id, { onDelete: 'cascade' }),
    day: text('day').notNull(),
    units: integer('units').notNull().default(0),
    updatedAt: updatedAt(),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.day] })],
);

export const quotaUsageSelectSchema = createSelectSchema(quotaUsage);
export type QuotaUsage = typeof quotaUsage.$inferSelect;
