import { and, desc, eq, gte, inArray, lt, lte, or, type SQL, sql } from 'drizzle-orm';
import { z } from 'zod';
import { auditEntries } from '../../db/schema/index.js';
import { isStorableDate, STORABLE_DATE_MESSAGE } from '../core/storable-date.js';
import { AUDIT_ACTIONS } from './audit-actions.js';

const seqParam = z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

/** The auditor's filters, shared by search, export and the audit page. */
export const auditFilterSchema = z.object({
  schoolId: z
    .uuid()
    .optional()
    .or(z.literal('').transform(() => undefined)),
  accountId: z
    .uuid()
    .optional()
    .or(z.literal('').transform(() => undefined)),
  actorId: z
    .string()
    .max(100)
    .optional()
    .or(z.literal('').transform(() => undefined)),
  action: z
    .enum(Object.keys(AUDIT_ACTIONS) as [keyof typeof AUDIT_ACTIONS, ...(keyof typeof AUDIT_ACTIONS)[]])
    .optional()
    .or(z.literal('').transform(() => undefined)),
  subjectType: z
    .string()
    .max(40)
    .optional()
    .or(z.literal('').transform(() => undefined)),
  subjectId: z
    .string()
    .max(200)
    .optional()
    .or(z.literal('').transform(() => undefined)),
  /** Inclusive, ISO date or date-time. */
  from: z.coerce
    .date()
    .refine(isStorableDate, STORABLE_DATE_MESSAGE)
    .optional()
    .or(z.literal('').transform(() => undefined)),
  /** Exclusive when a date-time; a bare date means the whole of that day. */
  to: z
    .string()
    .max(40)
    .refine((to) => {
      const end = endOf(to);
      return !end || isStorableDate(end);
    }, STORABLE_DATE_MESSAGE)
    .optional()
    .or(z.literal('').transform(() => undefined)),
  /** Words that must all appear in the entry's reasons, notes or other text of its details. */
  q: z
    .string()
    .max(200)
    .optional()
    .or(z.literal('').transform(() => undefined)),
  fromSeq: seqParam.optional().or(z.literal('').transform(() => undefined)),
  toSeq: seqParam.optional().or(z.literal('').transform(() => undefined)),
});
export type AuditFilter = z.output<typeof auditFilterSchema>;

function endOf(to: string): Date | null {
  const date = /^\d{4}-\d{2}-\d{2}$/.test(to) ? new Date(`${to}T00:00:00Z`) : new Date(to);
  if (Number.isNaN(date.getTime())) return null;
  if (/^\d{4}-\d{2}-\d{2}$/.test(to)) date.setUTCDate(date.getUTCDate() + 1);
  return date;
}

/** The same expression as the audit_entries_details_text_idx GIN index, so the index is used. */
export const detailsText = sql`jsonb_to_tsvector('simple'::regconfig, ${auditEntries.details}, '["string"]'::jsonb)`;

/**
 * WHERE conditions for a filter within `schoolIds` (null: every school, for the system and the
 * operator's CLI). Entries with no school (sign-in failures, checkpoints) are only visible unscoped.
 */
export function auditConditions(filter: AuditFilter, schoolIds: readonly string[] | null): SQL[] {
  const where: SQL[] = [];
  if (schoolIds !== null) where.push(inArray(auditEntries.schoolId, [...schoolIds]));
  if (filter.schoolId) where.push(eq(auditEntries.schoolId, filter.schoolId));
  if (filter.accountId) {
    const a = filter.accountId;
    where.push(
      or(
        and(eq(auditEntries.subjectType, 'account'), eq(auditEntries.subjectId, a)),
        and(
          eq(auditEntries.subjectType, 'comment'),
          sql`${auditEntries.subjectId} in (select id::text from comments where account_id = ${a})`,
        ),
        and(
          eq(auditEntries.subjectType, 'action'),
          sql`${auditEntries.subjectId} in (select id::text from moderation_actions where account_id = ${a})`,
        ),
        and(
          eq(auditEntries.subjectType, 'response'),
          sql`${auditEntries.subjectId} in (select r.id::text from responses r join comments c on c.id = r.comment_id where c.account_id = ${a})`,
        ),
      )!,
    );
  }
  if (filter.actorId) where.push(eq(auditEntries.actorId, filter.actorId));
  if (filter.action) where.push(eq(auditEntries.action, filter.action));
  if (filter.subjectType) where.push(eq(auditEntries.subjectType, filter.subjectType));
  if (filter.subjectId) where.push(eq(auditEntries.subjectId, filter.subjectId));
  if (filter.from) where.push(gte(auditEntries.at, filter.from));
  if (filter.to) {
    const end = endOf(filter.to);
    if (end) where.push(lt(auditEntries.at, end));
  }
  if (filter.q?.trim()) where.push(sql`${detailsText} @@ plainto_tsquery('simple', ${filter.q.trim()})`);
  if (filter.fromSeq !== undefined) where.push(gte(auditEntries.seq, filter.fromSeq));
  if (filter.toSeq !== undefined) where.push(lte(auditEntries.seq, filter.toSeq));
  return where;
}

export const newestFirst = desc(auditEntries.seq);
