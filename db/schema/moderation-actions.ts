import { sql } from 'drizzle-orm';
import { boolean, index, integer, jsonb, pgTable, text, uuid } from 'drizzle-orm/pg-core';
import { createInsertSchema, createSelectSchema } from 'drizzle-zod';
import { at, createdAt, id, updatedAt } from './columns.js';
import { comments } from './comments.js';
import { schools } from './schools.js';
import { socialAccounts } from './social-accounts.js';
import { users } from './users.js';

export const ACTION_KINDS = [
  'hide',
  'unhide',
  'delete',
  'block',
  'unblock',
  'mute',
  'unmute',
  'report',
  'notice',
] as const;
export type ActionKind = (typeof ACTION_KINDS)[number];

/**
 * proposed → approved → queued → executing → succeeded | failed; or rejected / expired.
 * A queued row is the outbox: the execute job is keyed by the row id, and a relay re-enqueues
 * rows that sit queued, so losing Redis loses no action.
 */
export const ACTION_STATUSES = [
  'proposed',
  'approved',
  'queued',
  'executing',
  'succeeded',
  'failed',
  'rejected',
  'expired',
] as const;
export type ActionStatus = (typeof ACTION_STATUSES)[number];

/** platform: carried out through the adapter; manual: done in the native app and recorded here. */
export const ACTION_MODES = ['platform', 'manual'] as const;

export const moderationActions = pgTable(
  'moderation_actions',
  {
    id: id(),
    schoolId: uuid('school_id')
      .notNull()
      .references(() => schools.id),
    accountId: uuid('account_id')
      .notNull()
      .references(() => socialAccounts.id),
    commentId: uuid('comment_id').references(() => comments.id),
    targetAuthorExternalId: text('target_author_external_id'),
    kind: text('kind', { enum: ACTION_KINDS }).notNull(),
    mode: text('mode', { enum: ACTION_MODES }).notNull().default('platform'),
    status: text('status', { enum: ACTION_STATUSES }).notNull(),
    reasonCategory: text('reason_category').notNull(),
    reasonText: text('reason_text').notNull().default(''),
    noticeText: text('notice_text'),
    evidenceUrl: text('evidence_url'),
    proposedBy: uuid('proposed_by').references(() => users.id),
    /** null with system = true for actions the system takes (auto-hide). */
    system: boolean('system').notNull().default(false),
    confirmedBy: uuid('confirmed_by').references(() => users.id),
    breakGlassReason: text('break_glass_reason'),
    expiresAt: at('expires_at'),
    attempts: integer('attempts').notNull().default(0),
    platformResult: jsonb('platform_result').$type<Record<string, unknown>>(),
    error: text('error'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    completedAt: at('completed_at'),
  },
  (t) => [
    index('moderation_actions_account_status_idx').on(t.accountId, t.status),
    index('moderation_actions_comment_idx').on(t.commentId),
    index('moderation_actions_open_idx')
      .on(t.status, t.updatedAt)
      .where(sql`${t.status} in ('proposed', 'queued', 'executing')`),
  ],
);

export const moderationActionInsertSchema = createInsertSchema(moderationActions);
export const moderationActionSelectSchema = createSelectSchema(moderationActions);
export type ModerationAction = typeof moderationActions.$inferSelect;
