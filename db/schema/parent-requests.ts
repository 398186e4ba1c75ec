import { index, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { at, id } from './columns.js';
import { comments } from './comments.js';
import { escalations } from './escalations.js';
import { moderationActions } from './moderation-actions.js';
import { schools } from './schools.js';
import { socialAccounts } from './social-accounts.js';
import { users } from './users.js';

/**
 * P9 (002 §5 Parents/Carers): a parent was asked to remove an offensive comment and invited to
 * talk, with the complaints procedure. Tracked while `awaiting` until the platform shows the comment
 * gone (read back on poll: `removed`) or a member of staff escalates it (`escalated`).
 */
export const PARENT_REQUEST_STATES = ['awaiting', 'removed', 'escalated'] as const;
export type ParentRequestState = (typeof PARENT_REQUEST_STATES)[number];

/** public: a notice under the comment; private: a message sent in the platform's own app, recorded. */
export const PARENT_CONTACTS = ['public', 'private'] as const;
export type ParentContact = (typeof PARENT_CONTACTS)[number];

export const parentRequests = pgTable(
  'parent_requests',
  {
    id: id(),
    schoolId: uuid('school_id')
      .notNull()
      .references(() => schools.id),
    accountId: uuid('account_id')
      .notNull()
      .references(() => socialAccounts.id),
    commentId: uuid('comment_id')
      .notNull()
      .references(() => comments.id),
    contact: text('contact', { enum: PARENT_CONTACTS }).notNull(),
    /** the public notice's action; null for a private message */
    noticeActionId: uuid('notice_action_id').references(() => moderationActions.id),
    state: text('state', { enum: PARENT_REQUEST_STATES }).notNull().default('awaiting'),
    requestedBy: uuid('requested_by')
      .notNull()
      .references(() => users.id),
    requestedAt: at('requested_at').notNull().defaultNow(),
    /** the last time the platform was asked whether the comment is still there */
    checkedAt: at('checked_at'),
    resolvedAt: at('resolved_at'),
    resolvedBy: uuid('resolved_by').references(() => users.id),
    escalationId: uuid('escalation_id').references(() => escalations.id),
  },
  (t) => [
    uniqueIndex('parent_requests_comment_unique').on(t.commentId),
    index('parent_requests_school_state_idx').on(t.schoolId, t.state),
    index('parent_requests_account_state_idx').on(t.accountId, t.state),
  ],
);

export type ParentRequest = typeof parentRequests.$inferSelect;
