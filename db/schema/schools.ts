import { index, integer, jsonb, pgTable, text, uuid } from 'drizzle-orm/pg-core';
import { createInsertSchema, createSelectSchema } from 'drizzle-zod';
import { at, createdAt, id } from './columns.js';
import { trusts } from './trusts.js';

/**
 * The school's calendar and deadline settings. Parsed and defaulted by the deadlines service; stored
 * as one document so the rule that made a deadline can be replayed from it.
 */
export type SchoolCalendarSettings = Record<string, unknown>;

/** Parsed by services/classification/own-contact-details.ts; absent fields are empty. */
export type SchoolContactDetailsDocument = {
  emails?: string[];
  phones?: string[];
  address?: string;
  website?: string;
};

export const schools = pgTable(
  'schools',
  {
    id: id(),
    trustId: uuid('trust_id')
      .notNull()
      .references(() => trusts.id),
    name: text('name').notNull(),
    timeZone: text('time_zone').notNull().default('Europe/London'),
    calendar: jsonb('calendar').$type<SchoolCalendarSettings>().notNull().default({}),
    /** How long comment text and author identities are kept (P12). */
    retentionMonths: integer('retention_months').notNull().default(24),
    policyVersionLabel: text('policy_version_label'),
    policyDocumentUrl: text('policy_document_url'),
    policyVersionAt: at('policy_version_at'),
    /**
     * Bumped in the same transaction as any change to the school's own lexicon terms, allow-list or
     * pupil roster; every process's classifier cache compares it and recompiles when it moved.
     */
    lexiconVersion: integer('lexicon_version').notNull().default(0),
    /**
     * The school's own published contact details (office emails and phones, postal address,
     * website): a reply that gives them out publishes no personal data. Changing them bumps
     * lexiconVersion, since the classifier knows them.
     */
    contactDetails: jsonb('contact_details').$type<SchoolContactDetailsDocument>().notNull().default({}),
    createdAt: createdAt(),
    /**
     * How the school answers in public (P3, P9, P10, house rules, sign-off): parsed and defaulted by
     * services/comments/reply-policy.ts; absent fields take the policy's literal reading.
     */
    replyPolicy: jsonb('reply_policy').$type<Record<string, unknown>>().notNull().default({}),
  },
  (t) => [index('schools_trust_idx').on(t.trustId)],
);

export const schoolInsertSchema = createInsertSchema(schools);
export const schoolSelectSchema = createSelectSchema(schools);
export type School = typeof schools.$inferSelect;
