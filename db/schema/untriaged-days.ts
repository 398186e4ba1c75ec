import { date, pgTable, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { createdAt, id } from './columns.js';
import { schools } from './schools.js';
import { socialAccounts } from './social-accounts.js';

/**
 * P1: a working day on which a live account had no staff action on any comment, found the next
 * working morning and told to the senior leaders once (unique per account and day).
 */
export const untriagedDays = pgTable(
  'untriaged_days',
  {
    id: id(),
    schoolId: uuid('school_id')
      .notNull()
      .references(() => schools.id),
    accountId: uuid('account_id')
      .notNull()
      .references(() => socialAccounts.id),
    day: date('day', { mode: 'string' }).notNull(),
    notifiedAt: createdAt(),
  },
  (t) => [uniqueIndex('untriaged_days_account_day_unique').on(t.accountId, t.day)],
);

export type UntriagedDay = typeof untriagedDays.$inferSelect;
