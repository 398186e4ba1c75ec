import { index, pgTable, text, uuid } from 'drizzle-orm/pg-core';
import { createSelectSchema } from 'drizzle-zod';
import { createdAt, id } from './columns.js';
import { socialAccounts } from './social-accounts.js';

/** A poll that failed, with the platform's raw answer kept (bounded) for diagnosis. */
export const pollFailures = pgTable(
  'poll_failures',
  {
    id: id(),
    accountId: uuid('account_id')
      .notNull()
      .references(() => socialAccounts.id),
    kind: text('kind').notNull(),
    message: text('message').notNull(),
    rawBody: text('raw_body'),
    createdAt: createdAt(),
  },
  (t) => [index('poll_failures_account_idx').on(t.accountId, t.createdAt)],
);

export const pollFailureSelectSchema = createSelectSchema(pollFailures);
export type PollFailure = typeof pollFailures.$inferSelect;
