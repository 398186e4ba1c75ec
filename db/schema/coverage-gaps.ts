import { index, pgTable, text, uuid } from 'drizzle-orm/pg-core';
import { createInsertSchema, createSelectSchema } from 'drizzle-zod';
import { createdAt, id } from './columns.js';
import { socialAccounts } from './social-accounts.js';

/** Mentions a poll could not reach (X serves only the ~800 most recent): shown to the account's admins. */
export const coverageGaps = pgTable(
  'coverage_gaps',
  {
    id: id(),
    accountId: uuid('account_id')
      .notNull()
      .references(() => socialAccounts.id),
    fromExternalId: text('from_external_id'),
    toExternalId: text('to_external_id'),
    note: text('note').notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('coverage_gaps_account_idx').on(t.accountId, t.createdAt)],
);

export const coverageGapSelectSchema = createSelectSchema(coverageGaps);
export const coverageGapInsertSchema = createInsertSchema(coverageGaps);
export type CoverageGap = typeof coverageGaps.$inferSelect;
