import { sql } from 'drizzle-orm';
import { index, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { at, id } from './columns.js';
import { schools } from './schools.js';
import { socialAccounts } from './social-accounts.js';
import { users } from './users.js';

/**
 * Who staff know a commenter to be: a parent or carer (P9, 002 §5 Parents/Carers) or a pupil
 * (002 §5 Pupils, 004, 003 §6). Per account and platform author id, since the same person is a
 * different author on each platform. A mark is undone with a reason, never deleted.
 */
export const AUTHOR_KINDS = ['parent', 'pupil'] as const;
export type AuthorKind = (typeof AUTHOR_KINDS)[number];

export const authorMarks = pgTable(
  'author_marks',
  {
    id: id(),
    schoolId: uuid('school_id')
      .notNull()
      .references(() => schools.id),
    accountId: uuid('account_id')
      .notNull()
      .references(() => socialAccounts.id),
    authorExternalId: text('author_external_id').notNull(),
    kind: text('kind', { enum: AUTHOR_KINDS }).notNull(),
    note: text('note'),
    markedBy: uuid('marked_by')
      .notNull()
      .references(() => users.id),
    markedAt: at('marked_at').notNull().defaultNow(),
    unmarkedBy: uuid('unmarked_by').references(() => users.id),
    unmarkedAt: at('unmarked_at'),
    unmarkReason: text('unmark_reason'),
  },
  (t) => [
    // One standing mark of each kind per author on an account.
    uniqueIndex('author_marks_standing_unique')
      .on(t.accountId, t.authorExternalId, t.kind)
      .where(sql`${t.unmarkedAt} is null`),
    index('author_marks_school_idx').on(t.schoolId),
  ],
);

export type AuthorMark = typeof authorMarks.$inferSelect;
