import { sql } from 'drizzle-orm';
import { bigint, index, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { createSelectSchema } from 'drizzle-zod';

/**
 * The append-only, hash-chained audit log. No foreign keys: an entry must stay readable after its
 * actor or subject is gone, so it copies their labels. A trigger refuses UPDATE, DELETE, TRUNCATE.
 * Rows are written only by the SQL function audit_append, at COMMIT, from the transaction's rows in
 * audit_pending (both defined in SQL alone, db/migrations/0010 and 0011; services/audit/emit-audit.ts).
 * Its columns are read back from the canonical encoding the hash covers.
 */
export const auditEntries = pgTable(
  'audit_entries',
  {
    seq: bigint('seq', { mode: 'number' }).primaryKey(),
    at: timestamp('at', { withTimezone: true, mode: 'date', precision: 3 }).notNull(),
    actorType: text('actor_type', { enum: ['user', 'system'] }).notNull(),
    actorId: text('actor_id'),
    actorLabel: text('actor_label').notNull(),
    schoolId: uuid('school_id'),
    action: text('action').notNull(),
    subjectType: text('subject_type').notNull(),
    subjectId: text('subject_id'),
    subjectLabel: text('subject_label').notNull(),
    details: jsonb('details').$type<Record<string, unknown>>().notNull(),
    /** SHA-256 of personal data kept beside the entry (audit_personal_data); null when there is none. */
    personalDataHash: text('personal_data_hash'),
    requestId: text('request_id'),
    prevHash: text('prev_hash').notNull(),
    hash: text('hash').notNull(),
  },
  (t) => [
    index('audit_entries_school_seq_idx').on(t.schoolId, t.seq),
    index('audit_entries_subject_idx').on(t.subjectType, t.subjectId, t.seq),
    index('audit_entries_action_idx').on(t.action, t.seq),
    // Every search is scoped to the user's schools: one school's entries of one kind, newest first.
    index('audit_entries_school_action_idx').on(t.schoolId, t.action, t.seq),
    index('audit_entries_actor_idx').on(t.actorId, t.seq),
    index('audit_entries_at_idx').on(t.at),
    // The auditor's free-text search over reasons and notes (every string in details).
    index('audit_entries_details_text_idx').using(
      'gin',
      sql`jsonb_to_tsvector('simple'::regconfig, ${t.details}, '["string"]'::jsonb)`,
    ),
  ],
);

export const auditEntrySelectSchema = createSelectSchema(auditEntries);
export type AuditEntryRow = typeof auditEntries.$inferSelect;
