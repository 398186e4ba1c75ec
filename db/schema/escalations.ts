import { index, pgTable, text, uuid } from 'drizzle-orm/pg-core';
import { createInsertSchema, createSelectSchema } from 'drizzle-zod';
import { at, createdAt, id } from './columns.js';
import { comments } from './comments.js';
import { schools } from './schools.js';
import { users } from './users.js';

/**
 * safeguarding: to the school's safeguarding leads (P8, P11); senior_leader: unacceptable conduct
 * (P7) or a media enquiry (P6); police / platform_report: an external referral recorded (P7).
 */
export const ESCALATION_KINDS = [
  'safeguarding',
  'senior_leader',
  'media',
  'police',
  'platform_report',
] as const;
export const ESCALATION_STATUSES = ['open', 'acknowledged', 'closed'] as const;

export const escalations = pgTable(
  'escalations',
  {
    id: id(),
    schoolId: uuid('school_id')
      .notNull()
      .references(() => schools.id),
    commentId: uuid('comment_id').references(() => comments.id),
    kind: text('kind', { enum: ESCALATION_KINDS }).notNull(),
    status: text('status', { enum: ESCALATION_STATUSES }).notNull().default('open'),
    reason: text('reason').notNull(),
    externalReference: text('external_reference'),
    /** null when the system raised it from a classification. */
    raisedBy: uuid('raised_by').references(() => users.id),
    acknowledgedBy: uuid('acknowledged_by').references(() => users.id),
    acknowledgedAt: at('acknowledged_at'),
    closedAt: at('closed_at'),
    closedBy: uuid('closed_by').references(() => users.id),
    /** What was done, written by whoever closed it: nothing closes an escalation without one. */
    closingNote: text('closing_note'),
    /**
     * P7: the classifier found possibly illegal content (a threat, hate, harassment): `due` until a
     * police referral is recorded with its reference (`referred`) or a senior leader records why
     * not (`not_referred`). Null: no police step.
     */
    policeReferral: text('police_referral', { enum: ['due', 'referred', 'not_referred'] }),
    /**
     * P7 harassment: later comments by the same author that joined this open escalation rather than
     * opening one each (routeConduct), oldest first.
     */
    laterCommentIds: uuid('later_comment_ids').array().notNull().default([]),
    createdAt: createdAt(),
  },
  (t) => [
    index('escalations_school_kind_status_idx').on(t.schoolId, t.kind, t.status),
    index('escalations_comment_idx').on(t.commentId),
    index('escalations_school_status_idx').on(t.schoolId, t.status, t.createdAt),
  ],
);

export const escalationInsertSchema = createInsertSchema(escalations);
export const escalationSelectSchema = createSelectSchema(escalations);
export type Escalation = typeof escalations.$inferSelect;
