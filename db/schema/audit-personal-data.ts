import { bigint, jsonb, pgTable, text } from 'drizzle-orm/pg-core';
import { at } from './columns.js';

/**
 * Personal data an audit entry refers to (an author's handle, a reply's text), kept apart from the
 * chain so the retention policy can erase it (P12): the entry keeps its SHA-256, so the chain still
 * verifies and the auditor sees when and why it was redacted.
 */
export const auditPersonalData = pgTable('audit_personal_data', {
  seq: bigint('seq', { mode: 'number' }).primaryKey(),
  content: jsonb('content').$type<Record<string, unknown>>(),
  redactedAt: at('redacted_at'),
  redactionReason: text('redaction_reason'),
});
