import { index, pgTable, text, uuid } from 'drizzle-orm/pg-core';
import { createInsertSchema, createSelectSchema } from 'drizzle-zod';
import { createdAt, id, updatedAt } from './columns.js';
import { schools } from './schools.js';
import { users } from './users.js';

/**
 * A school's saved replies: starting points for the comment page's composer, edited by the school.
 * A new school gets the defaults (a trigger, see the saved_replies_defaults migration).
 */
export const savedReplies = pgTable(
  'saved_replies',
  {
    id: id(),
    schoolId: uuid('school_id')
      .notNull()
      .references(() => schools.id),
    title: text('title').notNull(),
    body: text('body').notNull(),
    updatedBy: uuid('updated_by').references(() => users.id),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index('saved_replies_school_idx').on(t.schoolId, t.title)],
);

export const savedReplyInsertSchema = createInsertSchema(savedReplies);
export const savedReplySelectSchema = createSelectSchema(savedReplies);
export type SavedReply = typeof savedReplies.$inferSelect;
