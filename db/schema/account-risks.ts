import { index, jsonb, pgTable, uuid } from 'drizzle-orm/pg-core';
import { at } from './columns.js';
import { schools } from './schools.js';
import { socialAccounts } from './social-accounts.js';

/** Why an active account is short of the people the policy requires. */
export const RISK_REASONS = ['too_few_admins', 'no_safeguarding_lead'] as const;
export type RiskReason = (typeof RISK_REASONS)[number];

/**
 * An active account left short of people (P4: fewer than two working admins; P8: no safeguarding
 * lead at the school). A row exists while the shortfall lasts; after dueAt the account shows red.
 */
export const accountRisks = pgTable(
  'account_risks',
  {
    accountId: uuid('account_id')
      .primaryKey()
      .references(() => socialAccounts.id),
    schoolId: uuid('school_id')
      .notNull()
      .references(() => schools.id),
    reasons: jsonb('reasons').$type<RiskReason[]>().notNull(),
    since: at('since').notNull(),
    dueAt: at('due_at').notNull(),
    /** when senior leaders were told the replacement deadline passed (once per risk) */
    overdueNotifiedAt: at('overdue_notified_at'),
  },
  (t) => [index('account_risks_school_idx').on(t.schoolId)],
);

export type AccountRisk = typeof accountRisks.$inferSelect;
