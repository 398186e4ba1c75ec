import { index, jsonb, pgTable, text, uuid } from 'drizzle-orm/pg-core';
import { createInsertSchema, createSelectSchema } from 'drizzle-zod';
import { at, createdAt, id } from './columns.js';
import { comments, type StoredLabel } from './comments.js';
import { schoolLexiconEntries } from './school-lexicon-entries.js';
import { schools } from './schools.js';
import { users } from './users.js';

/**
 * missed: staff flagged a category the classifier did not give; confirmed: staff flagged a
 * category it did give; overturned: staff said a flag was not a problem.
 */
export const CORRECTION_KINDS = ['missed', 'confirmed', 'overturned'] as const;
export type CorrectionKind = (typeof CORRECTION_KINDS)[number];

/**
 * What a trust admin made of a correction: a school term, an allow-list entry, an example for the
 * next training run, or nothing (dismissed). `confirmed` corrections need no review.
 */
export const CORRECTION_REVIEW_STATUSES = [
  'pending',
  'term_added',
  'allow_added',
  'example',
  'dismissed',
  'not_needed',
] as const;
export type CorrectionReviewStatus = (typeof CORRECTION_REVIEW_STATUSES)[number];

/** One staff correction to the classifier on one comment, and what review made of it. */
export const classifierCorrections = pgTable(
  'classifier_corrections',
  {
    id: id(),
    schoolId: uuid('school_id')
      .notNull()
      .references(() => schools.id),
    commentId: uuid('comment_id')
      .notNull()
      .references(() => comments.id),
    kind: text('kind', { enum: CORRECTION_KINDS }).notNull(),
    category: text('category').notNull(),
    subcategory: text('subcategory').notNull(),
    /** Why: the staff member's note (optional on a flag, required on "not a problem"). */
    note: text('note').notNull().default(''),
    /** The comment's labels just before the correction, and the classifier that gave them. */
    labelsBefore: jsonb('labels_before').$type<StoredLabel[]>().notNull(),
    classifierVersion: text('classifier_version'),
    correctedBy: uuid('corrected_by')
      .notNull()
      .references(() => users.id),
    createdAt: createdAt(),
    reviewStatus: text('review_status', { enum: CORRECTION_REVIEW_STATUSES }).notNull().default('pending'),
    reviewedBy: uuid('reviewed_by').references(() => users.id),
    reviewedAt: at('reviewed_at'),
    reviewNote: text('review_note'),
    lexiconEntryId: uuid('lexicon_entry_id').references(() => schoolLexiconEntries.id, {
      onDelete: 'set null',
    }),
    /** For an example: the categories the comment should have ({id,text,expect,kind,subkind}). */
    exampleExpect: jsonb('example_expect').$type<string[]>(),
  },
  (t) => [
    index('classifier_corrections_review_idx').on(t.schoolId, t.reviewStatus, t.createdAt),
    index('classifier_corrections_comment_idx').on(t.commentId),
  ],
);

export const classifierCorrectionInsertSchema = createInsertSchema(classifierCorrections);
export const classifierCorrectionSelectSchema = createSelectSchema(classifierCorrections);
export type ClassifierCorrection = typeof classifierCorrections.$inferSelect;
