import { and, desc, lt, type SQL, sql } from 'drizzle-orm';
import type { Queryable } from '../../db/client.js';
import { auditEntries } from '../../db/schema/index.js';
import { queryable, type ServiceContext } from '../core/service-context.js';
import { AUDIT_READERS, narrowToSchool, requireSchoolsWithRole } from './audit-access.js';
import { type AuditEntryView, viewEntry } from './audit-entry-view.js';
import { type AuditFilter, auditConditions, detailsText, newestFirst } from './audit-filter.js';
import { readChainEntries } from './read-chain.js';

export interface AuditSearchInput extends AuditFilter {
  /** Keyset: entries with a sequence number below this (the `next` of the previous page). */
  before?: number | undefined;
  limit?: number | undefined;
}

export interface AuditSearchPage {
  items: AuditEntryView[];
  /** Pass as `before` for the next (older) page; null on the last page. */
  next: number | null;
}

/**
 * The auditor's search: newest first, paginated by sequence number, within the schools where the
 * caller may read the log. Finds the page's sequence numbers with the filter (indexed), then reads
 * those entries with their personal data state.
 */
export async function searchAudit(ctx: ServiceContext, input: AuditSearchInput): Promise<AuditSearchPage> {
  const allowed = requireSchoolsWithRole(ctx, AUDIT_READERS, 'read the audit log');
  const schoolIds = narrowToSchool(allowed, input.schoolId);
  const limit = Math.min(Math.max(input.limit ?? 50, 1), 200);
  const db = queryable(ctx);
  const q = input.q?.trim();
  const where = auditConditions({ ...input, q: undefined }, schoolIds);
  if (input.before !== undefined) where.push(sql`${auditEntries.seq} < ${input.before}`);
  const page = q
    ? await wordSearch(db, where, q, limit + 1)
    : await db
        .select({ seq: auditEntries.seq })
        .from(auditEntries)
        .where(and(...where))
        .orderBy(newestFirst)
        .limit(limit + 1);
  const seqs = page.slice(0, limit).map((r) => r.seq);
  if (seqs.length === 0) return { items: [], next: null };
  const rows = (await readChainEntries(db, seqs)).reverse();
  return { items: rows.map(viewEntry), next: page.length > limit ? seqs[seqs.length - 1]! : null };
}

/** How many of the newest entries in scope a word search reads before it turns to the index. */
const WORD_WINDOW = 2_000;

/**
 * Words in the reasons: the newest entries in scope are read first (a common word is found among
 * them at once); if that window holds too few matches, the full-text index answers for the older
 * entries, intersected with the scope's index (a bitmap plan, bounded by the sizes of the two
 * indexes, where reading backwards through a school's entries for a rare word would not be).
 */
async function wordSearch(db: Queryable, where: SQL[], q: string, want: number): Promise<{ seq: number }[]> {
  const words = sql`plainto_tsquery('simple', ${q})`;
  const window = await db.execute<{ examined: number; lowest: string | null; hits: string[] }>(sql`
    with w as (
      select ${auditEntries.seq} as seq, ${auditEntries.details} as details from ${auditEntries}
      where ${and(...where)} order by ${auditEntries.seq} desc limit ${WORD_WINDOW}
    )
    select (select count(*)::int from w) as examined, (select min(seq)::text from w) as lowest,
      array(select seq::text from w
        where jsonb_to_tsvector('simple'::regconfig, w.details, '["string"]'::jsonb) @@ ${words}
        order by seq desc limit ${want}) as hits`);
  const row = window.rows[0]!;
  const hits = row.hits.map(Number);
  if (hits.length >= want || row.examined < WORD_WINDOW || row.lowest === null)
    return hits.map((seq) => ({ seq }));
  // "seq + 0": keeps the planner off the ordered index scan, onto BitmapAnd of the two indexes.
  const older = await db
    .select({ seq: auditEntries.seq })
    .from(auditEntries)
    .where(and(...where, lt(auditEntries.seq, Number(row.lowest)), sql`${detailsText} @@ ${words}`))
    .orderBy(desc(sql`${auditEntries.seq} + 0`))
    .limit(want - hits.length);
  return [...hits.map((seq) => ({ seq })), ...older];
}
