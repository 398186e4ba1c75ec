import { index, pgTable, text, uuid } from 'drizzle-orm/pg-core';
import { createdAt, id } from './columns.js';
import { schools } from './schools.js';

/**
 * Pupils' names, so comments that name a pupil are treated as safeguarding (P11). Encrypted at
 * rest under ENCRYPTION_KEY and never logged.
 */
export const rosterEntries = pgTable(
  'roster_entries',
  {
    id: id(),
    schoolId: uuid('school_id')
      .notNull()
      .references(() => schools.id),
    entryEncrypted: text('entry_encrypted').notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('roster_entries_school_idx').on(t.schoolId)],
);
