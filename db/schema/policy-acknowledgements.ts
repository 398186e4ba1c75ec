import { pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { createdAt, id } from './columns.js';
import { schools } from './schools.js';
import { users } from './users.js';

/** A user's acknowledgement of one version of the school's social media policy (P5). */
export const policyAcknowledgements = pgTable(
  'policy_acknowledgements',
  {
    id: id(),
    schoolId: uuid('school_id')
      .notNull()
      .references(() => schools.id),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    versionLabel: text('version_label').notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('policy_acknowledgements_unique').on(t.schoolId, t.userId, t.versionLabel)],
);

export type PolicyAcknowledgement = typeof policyAcknowledgements.$inferSelect;
