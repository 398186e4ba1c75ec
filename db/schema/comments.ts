import { sql } from 'drizzle-orm';
import {
  boolean,
  index,
  jsonb,
  pgTable,
  smallint,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { createInsertSchema, createSelectSchema } from 'drizzle-zod';
import { at, id } from './columns.js';
import { schools } from './schools.js';
import { PLATFORMS, socialAccounts } from './social-accounts.js';
import { users } from './users.js';

/** open: awaiting a response; responded: the deadline was met; closed: no response needed or moderated. */
export const COMMENT_STATUSES = ['open', 'responded', 'closed'] as const;
export type CommentStatus = (typeof COMMENT_STATUSES)[number];

/** Longest comment text kept; anything longer is cut and marked truncated. */
export const MAX_COMMENT_CHARS = 10_000;

export type StoredLabel = {
  category: string;
  subcategory: string;
  severity: 'low' | 'medium' | 'high';
  spans: [number, number][];
  source: string;
  /** 0..1; absent on labels stored before the classifier gave one. */
  confidence?: number;
};

/** One outside classifier's part in a comment's classification. */
export type StoredTierOutcome = {
  tier: 'moderation' | 'guard';
  model: string;
  outcome: 'answered' | 'timeout' | 'external_down' | 'invalid_response' | 'breaker_open';
};

export const comments = pgTable(
  'comments',
  {
    id: id(),
    schoolId: uuid('school_id')
      .notNull()
      .references(() => schools.id),
    accountId: uuid('account_id')
      .notNull()
      .references(() => socialAccounts.id),
    platform: text('platform', { enum: PLATFORMS }).notNull(),
    externalId: text('external_id').notNull(),
    conversationId: text('conversation_id'),
    inReplyToExternalId: text('in_reply_to_external_id'),
    authorExternalId: text('author_external_id').notNull(),
    authorHandle: text('author_handle').notNull(),
    authorName: text('author_name').notNull().default(''),
    text: text('text').notNull(),
    textTruncated: boolean('text_truncated').notNull().default(false),
    url: text('url'),
    postedAt: at('posted_at').notNull(),
    ingestedAt: at('ingested_at').notNull().defaultNow(),
    /** Set by the process job; a relay re-enqueues rows left null, so a lost job is redone. */
    processedAt: at('processed_at'),
    status: text('status', { enum: COMMENT_STATUSES }).notNull().default('open'),
    labels: jsonb('labels').$type<StoredLabel[]>().notNull().default([]),
    /** Label categories, denormalised for the inbox filter. */
    categories: text('categories').array().notNull().default(sql`'{}'::text[]`),
    classifierVersion: text('classifier_version'),
    classifiedLocally: boolean('classified_locally').notNull().default(true),
    /**
     * The outside classification tiers asked about this comment (only those its trust turned on) and
     * what each did: answered, or why not (timeout, down, invalid answer, breaker open).
     */
    externalTiers: jsonb('external_tiers').$type<StoredTierOutcome[]>().notNull().default([]),
    /** Milliseconds, like a JS Date: the inbox's keyset cursor carries it exactly. */
    deadlineAt: timestamp('deadline_at', { withTimezone: true, mode: 'date', precision: 3 }),
    warnAt: at('warn_at'),
    deadlineRuleVersion: text('deadline_rule_version'),
    /**
     * When the deadline clock started: the later of posted_at and the account's activation. Null on
     * rows from before this column, which count from posted_at.
     */
    deadlineClockStartedAt: at('deadline_clock_started_at'),
    warnedAt: at('warned_at'),
    breachedAt: at('breached_at'),
    firstResponseAt: at('first_response_at'),
    resolvedAt: at('resolved_at'),
    assigneeId: uuid('assignee_id').references(() => users.id),
    /**
     * When a comment arrived held back by its platform for the account to approve (YouTube's
     * heldForReview): nobody else sees it until it is published. Cleared when it is published or
     * rejected, here or on the platform (read back by the poll).
     */
    heldByPlatformAt: at('held_by_platform_at'),
    /** Set when the retention policy or an erasure request removed text and author identity (P12). */
    redactedAt: at('redacted_at'),
    /**
     * P2: when the commenter was first answered in full (a reply, an offline answer, a close, a
     * moderation). A holding reply meets the deadline but leaves this null: the comment is in the
     * follow-up queue until it is set, due by followUpDueAt.
     */
    answeredAt: at('answered_at'),
    followUpDueAt: at('follow_up_due_at'),
    /** when the assignee or senior leaders were told the follow-up passed its target (once) */
    followUpOverdueNotifiedAt: at('follow_up_overdue_notified_at'),
    /**
     * The inbox's urgency rank, kept by Postgres from the labels: 0 safeguarding, 1 a threat, 2 the
     * rest. The rule and its wording live in services/comments/inbox-urgency.ts.
     */
    urgency: smallint('urgency')
      .notNull()
      .generatedAlwaysAs(
        sql`case when 'safeguarding' = any(categories) then 0 when labels @> '[{"category":"offensive","subcategory":"threat"}]'::jsonb then 1 else 2 end`,
      ),
  },
  (t) => [
    // Per monitored account: a post that mentions two schools' accounts is kept by each school.
    uniqueIndex('comments_account_external_unique').on(t.accountId, t.externalId),
    // The inbox: a school's open comments, soonest deadline first.
    index('comments_inbox_idx').on(t.schoolId, t.status, t.deadlineAt),
    // The inbox in urgency order: safeguarding, threats, then the rest, each by deadline.
    index('comments_inbox_urgency_idx').on(t.schoolId, t.status, t.urgency, t.deadlineAt, t.id),
    index('comments_account_idx').on(t.accountId, t.postedAt),
    // The deadline sweep: open comments not yet breached, by deadline.
    index('comments_sweep_idx').on(t.deadlineAt).where(sql`${t.status} = 'open' and ${t.breachedAt} is null`),
    // The relay: rows still waiting for the process job.
    index('comments_unprocessed_idx').on(t.ingestedAt).where(sql`${t.processedAt} is null`),
    index('comments_author_idx').on(t.schoolId, t.authorExternalId),
    index('comments_categories_idx').using('gin', t.categories),
    // Each poll's read-back of the comments its platform still holds (YouTube): few, so a small index.
    index('comments_held_idx')
      .on(t.accountId, t.heldByPlatformAt)
      .where(sql`${t.heldByPlatformAt} is not null`),
  ],
);

export const commentInsertSchema = createInsertSchema(comments);
export const commentSelectSchema = createSelectSchema(comments);
export type Comment = typeof comments.$inferSelect;
export type NewComment = typeof comments.$inferInsert;
