import { integer, pgTable, text, uuid } from 'drizzle-orm/pg-core';
import { updatedAt } from './columns.js';
import { schools } from './schools.js';
import { users } from './users.js';

/** What happens when a change would leave an active account short of people (P4, P8). */
export const SHORTFALL_MODES = ['refuse', 'at_risk'] as const;
export type ShortfallMode = (typeof SHORTFALL_MODES)[number];

/**
 * A school's choices where the policy leaves one about its people (P4, P8). No row means
 * the defaults: the policy's literal reading.
 */
export const schoolPeopleSettings = pgTable('school_people_settings', {
  schoolId: uuid('school_id')
    .primaryKey()
    .references(() => schools.id),
  /** refuse: a change that would leave an account with fewer than two admins is refused. */
  shortfallMode: text('shortfall_mode', { enum: SHORTFALL_MODES }).notNull().default('refuse'),
  /** at_risk: how many days the school has to name a replacement before the account shows red. */
  replacementDays: integer('replacement_days').notNull().default(5),
  /**
   * 002 §5 Pupils: who a pupil's comment on the school's accounts goes to (the behaviour policy
   * resolves it). Null: the senior leaders.
   */
  behaviourLeadId: uuid('behaviour_lead_id').references(() => users.id),
  updatedAt: updatedAt(),
});

export type SchoolPeopleSettings = typeof schoolPeopleSettings.$inferSelect;
