import { index, pgTable, text, uuid } from 'drizzle-orm/pg-core';
import { createdAt, id } from './columns.js';
import { schools } from './schools.js';
import { users } from './users.js';

/** A school's own classifier terms and allow-list entries, on top of the shipped lexicons. */
export const schoolLexiconEntries = pgTable(
  'school_lexicon_entries',
  {
    id: id(),
    schoolId: uuid('school_id')
      .notNull()
      .references(() => schools.id),
    kind: text('kind', { enum: ['term', 'allow'] }).notNull(),
    category: text('category'),
    subcategory: text('subcategory'),
    severity: text('severity', { enum: ['low', 'medium', 'high'] }),
    term: text('term').notNull(),
    addedBy: uuid('added_by').references(() => users.id),
    createdAt: createdAt(),
  },
  (t) => [index('school_lexicon_entries_school_idx').on(t.schoolId)],
);
