import { index, pgTable, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { createInsertSchema, createSelectSchema } from 'drizzle-zod';
import { at, createdAt, id } from './columns.js';
import { socialAccounts } from './social-accounts.js';
import { users } from './users.js';

/** The (at least two) staff who administer an account and act on its flags (P4). */
export const accountAdmins = pgTable(
  'account_admins',
  {
    id: id(),
    accountId: uuid('account_id')
      .notNull()
      .references(() => socialAccounts.id),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    addedBy: uuid('added_by').references(() => users.id),
    /** Confirmed by the proposer: training done, acceptable-use agreement signed. */
    trainingConfirmedAt: at('training_confirmed_at'),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('account_admins_unique').on(t.accountId, t.userId),
    index('account_admins_user_idx').on(t.userId),
  ],
);

export const accountAdminInsertSchema = createInsertSchema(accountAdmins);
export const accountAdminSelectSchema = createSelectSchema(accountAdmins);
export type AccountAdmin = typeof accountAdmins.$inferSelect;
