import { sql } from 'drizzle-orm';
import type { Queryable } from '../../db/client.js';
import type { HashedAuditFields } from './audit-hash.js';

/** One stored entry with its hash, and the state of the personal data kept beside it. */
export interface ChainEntry extends HashedAuditFields {
  hash: string;
  /** null: no personal data record; otherwise its content (null once redacted). */
  personal: {
    content: Record<string, unknown> | null;
    redactedAt: Date | null;
    reason: string | null;
  } | null;
}

interface RawRow {
  seq: string;
  at_ms: number;
  actor_type: 'user' | 'system';
  actor_id: string | null;
  actor_label: string;
  school_id: string | null;
  action: string;
  subject_type: string;
  subject_id: string | null;
  subject_label: string;
  details: Record<string, unknown>;
  personal_data_hash: string | null;
  request_id: string | null;
  prev_hash: string;
  hash: string;
  has_personal: boolean;
  content: Record<string, unknown> | null;
  redacted_at_ms: number | null;
  redaction_reason: string | null;
}

function toEntry(r: RawRow): ChainEntry {
  return {
    seq: Number(r.seq),
    at: new Date(r.at_ms),
    actorType: r.actor_type,
    actorId: r.actor_id,
    actorLabel: r.actor_label,
    schoolId: r.school_id,
    action: r.action,
    subjectType: r.subject_type,
    subjectId: r.subject_id,
    subjectLabel: r.subject_label,
    details: r.details,
    personalDataHash: r.personal_data_hash,
    requestId: r.request_id,
    prevHash: r.prev_hash,
    hash: r.hash,
    personal: r.has_personal
      ? {
          content: r.content,
          redactedAt: r.redacted_at_ms === null ? null : new Date(r.redacted_at_ms),
          reason: r.redaction_reason,
        }
      : null,
  };
}

/**
 * A stored entry read for verification, built straight from the driver's row array: the time
 * stays the ISO text Postgres formatted (what the hash covers), and becomes a Date only if read.
 * Verification reads millions of these; every allocation saved counts.
 */
class ChainRow implements ChainEntry {
  seq: number;
  atIso: string;
  actorType: 'user' | 'system';
  actorId: string | null;
  actorLabel: string;
  schoolId: string | null;
  action: string;
  subjectType: string;
  subjectId: string | null;
  subjectLabel: string;
  details: Record<string, unknown>;
  personalDataHash: string | null;
  requestId: string | null;
  prevHash: string;
  hash: string;
  personal: ChainEntry['personal'];
  constructor(a: unknown[]) {
    this.seq = Number(a[0]);
    this.atIso = a[1] as string;
    this.actorType = a[2] as 'user' | 'system';
    this.actorId = a[3] as string | null;
    this.actorLabel = a[4] as string;
    this.schoolId = a[5] as string | null;
    this.action = a[6] as string;
    this.subjectType = a[7] as string;
    this.subjectId = a[8] as string | null;
    this.subjectLabel = a[9] as string;
    this.details = a[10] as Record<string, unknown>;
    this.personalDataHash = a[11] as string | null;
    this.requestId = a[12] as string | null;
    this.prevHash = a[13] as string;
    this.hash = a[14] as string;
    this.personal = a[15]
      ? {
          content: a[16] as Record<string, unknown> | null,
          redactedAt: a[17] === null ? null : new Date(a[17] as number),
          reason: a[18] as string | null,
        }
      : null;
  }
  get at(): Date {
    return new Date(this.atIso);
  }
}

const SELECT = sql`
    select e.seq, round(extract(epoch from e.at) * 1000)::float8 as at_ms, e.actor_type, e.actor_id,
      e.actor_label, e.school_id, e.action, e.subject_type, e.subject_id, e.subject_label, e.details,
      e.personal_data_hash, e.request_id, e.prev_hash, e.hash,
      p.seq is not null as has_personal, p.content,
      round(extract(epoch from p.redacted_at) * 1000)::float8 as redacted_at_ms, p.redaction_reason
    from audit_entries e left join audit_personal_data p on p.seq = e.seq`;

const RANGE_TEXT = `select e.seq, to_char(e.at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as at_iso, e.actor_type, e.actor_id,
      e.actor_label, e.school_id, e.action, e.subject_type, e.subject_id, e.subject_label, e.details,
      e.personal_data_hash, e.request_id, e.prev_hash, e.hash,
      p.seq is not null as has_personal, p.content,
      round(extract(epoch from p.redacted_at) * 1000)::float8 as redacted_at_ms, p.redaction_reason
    from audit_entries e left join audit_personal_data p on p.seq = e.seq
    where e.seq >= $1 and e.seq <= $2 order by e.seq`;

/** Entries with `from <= seq <= to`, in order: one indexed range scan, no ORM mapping. */
export async function readChainRange(db: Queryable, from: number, to: number): Promise<ChainEntry[]> {
  if ('$client' in db) {
    // The pool: rows as arrays (no per-row objects from the driver), the hot path of verification.
    const result = await db.$client.query<unknown[]>({
      text: RANGE_TEXT,
      values: [from, to],
      rowMode: 'array',
    });
    return result.rows.map((a) => new ChainRow(a));
  }
  const result = await db.execute(sql`${SELECT} where e.seq >= ${from} and e.seq <= ${to} order by e.seq`);
  return (result.rows as unknown as RawRow[]).map(toEntry);
}

/** The entries with these sequence numbers, in ascending order. */
export async function readChainEntries(db: Queryable, seqs: readonly number[]): Promise<ChainEntry[]> {
  if (seqs.length === 0) return [];
  const list = `{${seqs.map((n) => Math.trunc(n)).join(',')}}`;
  const result = await db.execute(sql`${SELECT} where e.seq = any(${list}::bigint[]) order by e.seq`);
  return (result.rows as unknown as RawRow[]).map(toEntry);
}

/**
 * Streams the chain from `from` to `to` in batches of seq ranges. Sequence numbers are dense, so
 * the next ranges are known before the current one is checked: `ahead` of them are fetched
 * meanwhile (on other pooled connections), and reading overlaps hashing. A missing entry shows up
 * as a gap in a batch.
 */
export async function* streamChain(
  db: Queryable,
  from: number,
  to: number,
  batchSize = 20_000,
  ahead = 2,
): AsyncGenerator<ChainEntry[]> {
  let next = from;
  const pending: Promise<ChainEntry[]>[] = [];
  const fill = () => {
    while (pending.length < ahead && next <= to) {
      pending.push(readChainRange(db, next, Math.min(to, next + batchSize - 1)));
      next += batchSize;
    }
  };
  try {
    fill();
    while (pending.length) {
      const rows = await pending.shift()!;
      fill();
      yield rows;
    }
  } finally {
    // A consumer that stops early (a bad entry found) leaves prefetches running: never unhandled.
    for (const p of pending) p.catch(() => {});
  }
}
