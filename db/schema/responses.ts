import { index, jsonb, pgTable, text, uuid } from 'drizzle-orm/pg-core';
import { createInsertSchema, createSelectSchema } from 'drizzle-zod';
import { at, createdAt, id } from './columns.js';
import { comments } from './comments.js';
import { schools } from './schools.js';
import { users } from './users.js';

/** Each of these meets the deadline (P2); an acknowledgement counts. */
export const RESPONSE_KINDS = [
  'public_reply',
  'private_reply',
  'offline',
  'acknowledgement',
  'no_response_needed',
] as const;
export type ResponseKind = (typeof RESPONSE_KINDS)[number];

/**
 * pending_approval: a sensitive reply waiting for a senior leader (P6, P10); sending: queued for
 * the platform; sent: the platform confirmed; recorded: offline or acknowledgement, nothing to send.
 */
export const RESPONSE_STATUSES = [
  'pending_approval',
  'sending',
  'sent',
  'failed',
  'recorded',
  'rejected',
] as const;

export const responses = pgTable(
  'responses',
  {
    id: id(),
    schoolId: uuid('school_id')
      .notNull()
      .references(() => schools.id),
    commentId: uuid('comment_id')
      .notNull()
      .references(() => comments.id),
    kind: text('kind', { enum: RESPONSE_KINDS }).notNull(),
    status: text('status', { enum: RESPONSE_STATUSES }).notNull(),
    text: text('text').notNull().default(''),
    /** For offline responses: phone, meeting, email. */
    channel: text('channel'),
    note: text('note'),
    externalId: text('external_id'),
    platformResult: jsonb('platform_result').$type<Record<string, unknown>>(),
    error: text('error'),
    actorId: uuid('actor_id')
      .notNull()
      .references(() => users.id),
    approvedBy: uuid('approved_by').references(() => users.id),
    overrideReason: text('override_reason'),
    createdAt: createdAt(),
    completedAt: at('completed_at'),
    /** A sent reply the school took down from the platform because it was sent in error. */
    removedAt: at('removed_at'),
    removedBy: uuid('removed_by').references(() => users.id),
    removedReason: text('removed_reason'),
    /** Why the reply waits for a senior leader (P6 media enquiry, P10 topics, asked by its author). */
    approvalReason: text('approval_reason'),
  },
  (t) => [
    index('responses_comment_idx').on(t.commentId),
    index('responses_school_idx').on(t.schoolId, t.createdAt),
  ],
);

export const responseInsertSchema = createInsertSchema(responses);
export const responseSelectSchema = createSelectSchema(responses);
export type Response = typeof responses.$inferSelect;
