import { sql } from 'drizzle-orm';
import { integer, pgTable, text, uuid } from 'drizzle-orm/pg-core';
import { updatedAt } from './columns.js';
import { schools } from './schools.js';
import { users } from './users.js';

/**
 * Who the policy names for media enquiries (P6) and unacceptable conduct (P7), and how harassment
 * is recognised. No row means the defaults: no headteacher named yet (a warning on the settings
 * page), no data protection officer, and three offensive comments in seven days.
 */
export const schoolConductSettings = pgTable('school_conduct_settings', {
  schoolId: uuid('school_id')
    .primaryKey()
    .references(() => schools.id),
  /** P6: the headteacher, a senior leader of the school; approves replies to media enquiries. */
  headteacherId: uuid('headteacher_id').references(() => users.id),
  /** P6: senior leaders the school names to approve media replies in the headteacher's place. */
  mediaDeputyIds: uuid('media_deputy_ids').array().notNull().default(sql`'{}'::uuid[]`),
  /** P7: the data protection officer, a person in Hallmonitor ... */
  dpoUserId: uuid('dpo_user_id').references(() => users.id),
  /** ... or an email address (an outside DPO service); either or both. */
  dpoEmail: text('dpo_email'),
  /** P7 harassment: this many offensive comments by one author, or at one named person, ... */
  harassmentCount: integer('harassment_count').notNull().default(3),
  /** ... within this many days. */
  harassmentWindowDays: integer('harassment_window_days').notNull().default(7),
  updatedAt: updatedAt(),
});

export type SchoolConductSettings = typeof schoolConductSettings.$inferSelect;
