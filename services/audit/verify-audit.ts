import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { and, asc, eq, gte, lte, sql } from 'drizzle-orm';
import type { Queryable } from '../../db/client.js';
import { auditCheckpoints, auditEntries, auditHead } from '../../db/schema/index.js';
import { GENESIS_HASH, hashEntry, hashPersonalData } from './audit-hash.js';
import { type Checkpoint, checkpointProblem, toCheckpoint } from './audit-signing.js';
import { streamChain } from './read-chain.js';

export type VerifyResult =
  | {
      intact: true;
      from: number;
      to: number;
      count: number;
      headHash: string;
      /** Signed checkpoints inside the range that the chain was checked against. */
      checkpoints: number;
      /**
       * The entries after the last signed checkpoint in the range: nothing outside the database
       * vouches for them yet, so a consistent rewrite of them cannot be detected. `since` is when
       * that checkpoint was signed (null: there is none, every entry is unwitnessed).
       */
      unwitnessed: Unwitnessed;
    }
  | { intact: false; seq: number; reason: string; checked: number };

export interface Unwitnessed {
  entries: number;
  since: string | null;
  lastCheckpointSeq: number | null;
}

/** "entries after the last witnessed checkpoint: N, since <time>", for the CLI and the page. */
export function describeUnwitnessed(u: Unwitnessed): string {
  return u.since === null
    ? `entries after the last witnessed checkpoint: ${u.entries} (no signed checkpoint: none of them is witnessed)`
    : `entries after the last witnessed checkpoint: ${u.entries}, since ${u.since} (checkpoint at entry ${u.lastCheckpointSeq})`;
}

export interface VerifyOptions {
  from?: number;
  to?: number;
  batchSize?: number;
  onProgress?: (checked: number, lastSeq: number) => void;
  /**
   * Public keys (base64, raw Ed25519) a checkpoint must be signed with. Unset: a checkpoint's own
   * key is taken on trust, so only its signature is checked.
   */
  trustedKeys?: readonly string[];
  /** Worker threads to hash with; by default up to 4 for 200,000 entries or more, else none. */
  workers?: number;
  /**
   * Checkpoints to check against instead of the stored ones: a copy kept by an outside witness,
   * which survives an attacker who rewrote both the log and the checkpoints table.
   */
  checkpoints?: readonly Checkpoint[];
}

export async function loadCheckpoints(db: Queryable, from = 0, to = Number.MAX_SAFE_INTEGER) {
  const rows = await db
    .select()
    .from(auditCheckpoints)
    .where(and(gte(auditCheckpoints.seq, from), lte(auditCheckpoints.seq, to)))
    .orderBy(asc(auditCheckpoints.seq), asc(auditCheckpoints.signedAt));
  return rows.map(toCheckpoint);
}

/**
 * Recomputes the chain from `from` to `to` (the whole log by default) and reports intact, or the
 * first entry that is missing, out of place or altered. Then checks it against every signed
 * checkpoint in the range: a log rewritten consistently from some entry on (every hash recomputed)
 * still differs from the hash that was signed before the rewrite. Streams in batches.
 */
export async function verifyAudit(db: Queryable, options: VerifyOptions = {}): Promise<VerifyResult> {
  const batchSize = options.batchSize ?? 20_000;
  const from = Math.max(1, options.from ?? 1);
  // The checkpoints first, then the head: a checkpoint's signing entry commits with it, so the
  // head read afterwards is past every checkpoint loaded, even while one is being signed.
  const checkpoints = (options.checkpoints ?? (await loadCheckpoints(db, from, Number.MAX_SAFE_INTEGER)))
    .filter((c) => c.seq >= from)
    .sort((a, b) => a.seq - b.seq);
  // The head and the table's last row in one statement (one snapshot): entries committed in
  // between cannot look like rows beyond the head.
  const [head] = await db
    .select({
      seq: auditHead.seq,
      hash: auditHead.hash,
      lastSeq: sql<string | null>`(select max(seq) from audit_entries)::text`,
    })
    .from(auditHead)
    .where(eq(auditHead.id, 1));
  // Never past the head: a range ending in the billions would read empty batches for hours.
  const to = Math.min(options.to ?? Number.MAX_SAFE_INTEGER, head?.seq ?? 0);
  for (const c of checkpoints) {
    const problem = checkpointProblem(c, options.trustedKeys);
    if (problem) return { intact: false, seq: c.seq, reason: problem, checked: 0 };
  }
  // The head must name the table's last row: a head behind the table hides the entries after it;
  // a head ahead of it means the tail was removed.
  if (options.to === undefined && head) {
    const lastSeq = Number(head.lastSeq ?? 0);
    if (lastSeq > head.seq) {
      return {
        intact: false,
        seq: head.seq + 1,
        reason: `entry lies beyond the chain head: audit_head says the log ends at ${head.seq} but the table goes on to ${lastSeq} (the head was moved back)`,
        checked: 0,
      };
    }
    if (lastSeq < head.seq) {
      return {
        intact: false,
        seq: lastSeq + 1,
        reason: `entry is missing: audit_head says the log ends at ${head.seq} but the table ends at ${lastSeq} (its tail was removed)`,
        checked: 0,
      };
    }
  }
  // Signed checkpoints beyond the end of the log: entries after the head were removed.
  if (options.to === undefined && head) {
    const beyond = checkpoints.find((c) => c.seq > head.seq);
    if (beyond) {
      return {
        intact: false,
        seq: head.seq + 1,
        reason: `entry is missing: the log ends at ${head.seq} but a checkpoint signed ${beyond.signedAt} covers ${beyond.seq}`,
        checked: 0,
      };
    }
  }
  const bySeq = new Map<number, Checkpoint[]>();
  for (const c of checkpoints) if (c.seq <= to) bySeq.set(c.seq, [...(bySeq.get(c.seq) ?? []), c]);

  let prevHash = GENESIS_HASH;
  if (from > 1) {
    const [before] = await db
      .select({ hash: auditEntries.hash })
      .from(auditEntries)
      .where(eq(auditEntries.seq, from - 1));
    if (!before) return { intact: false, seq: from - 1, reason: 'entry is missing', checked: 0 };
    prevHash = before.hash;
  }
  const lastCheckpoint = checkpoints.filter((c) => c.seq <= to).at(-1);
  const unwitnessed: Unwitnessed = {
    entries: to - Math.max(from - 1, lastCheckpoint?.seq ?? 0),
    since: lastCheckpoint?.signedAt ?? null,
    lastCheckpointSeq: lastCheckpoint?.seq ?? null,
  };
  if (to < from) return { intact: true, from, to, count: 0, headHash: prevHash, checkpoints: 0, unwitnessed };

  const signed: SignedHashes = [...bySeq.entries()].map(([seq, list]) => [
    seq,
    list.map((c) => [c.headHash, c.signedAt] as [string, string]),
  ]);
  const url = poolUrl(db);
  const workers = options.workers ?? defaultWorkers(to - from + 1);
  const segments =
    url && workers > 1
      ? await verifyInWorkers(url, from, to, workers, batchSize, signed, options.onProgress)
      : [await verifySegment(db, from, to, batchSize, signed, options.onProgress)];

  // Each segment checked its own entries and links; stitch the segments together in order.
  let expectedPrev = prevHash;
  let checked = 0;
  let checkpointsChecked = 0;
  for (const seg of segments) {
    if (
      seg.firstSeq !== null &&
      seg.firstPrevHash !== expectedPrev &&
      (!seg.failure || seg.failure.seq > seg.firstSeq)
    ) {
      return {
        intact: false,
        seq: seg.firstSeq,
        reason: 'previous-hash link is broken (an entry before it was removed, reordered or rewritten)',
        checked,
      };
    }
    if (seg.failure)
      return {
        intact: false,
        seq: seg.failure.seq,
        reason: seg.failure.reason,
        checked: checked + seg.count,
      };
    checked += seg.count;
    checkpointsChecked += seg.checkpoints;
    expectedPrev = seg.lastHash ?? expectedPrev;
  }
  prevHash = expectedPrev;
  if (head && to === head.seq && checked > 0 && head.hash !== prevHash) {
    return { intact: false, seq: to, reason: 'chain head does not match the last entry', checked };
  }
  // A checkpoint's signing is always audited as the very next entry: a log that ends at a
  // checkpoint was cut right after it (the rest of the tail removed, the head moved back).
  if (options.to === undefined && lastCheckpoint && lastCheckpoint.seq === to) {
    return {
      intact: false,
      seq: to + 1,
      reason: `entry is missing: the checkpoint signed ${lastCheckpoint.signedAt} at entry ${to} was audited as entry ${to + 1} (audit.checkpoint_signed), which is gone: the log was cut after the checkpoint`,
      checked,
    };
  }
  const unexplained = await unexplainedRedaction(db, from, to);
  if (unexplained) return { ...unexplained, checked };
  return {
    intact: true,
    from,
    to,
    count: checked,
    headHash: prevHash,
    checkpoints: checkpointsChecked,
    unwitnessed,
  };
}

/**
 * Personal data is erased only by the redaction path (retention or an erasure request), which
 * records a `comment.redacted` entry for the comment the data was about, after the entry. A record
 * marked redacted with no such entry behind it was blanked by someone else, by hand: it would read
 * as "redacted under the retention policy" while hiding what it said.
 */
async function unexplainedRedaction(
  db: Queryable,
  from: number,
  to: number,
): Promise<{ intact: false; seq: number; reason: string } | null> {
  const result = await db.execute<{
    seq: string;
    subject_type: string;
    subject_id: string | null;
    comment_id: string | null;
    redacted_at: string;
    redaction_reason: string | null;
  }>(sql`
    with redacted as (
      select p.seq, p.redacted_at, p.redaction_reason, e.subject_type, e.subject_id,
        case e.subject_type
          when 'comment' then e.subject_id
          when 'response' then (select r.comment_id::text from responses r where r.id::text = e.subject_id)
          when 'action' then (select a.comment_id::text from moderation_actions a where a.id::text = e.subject_id)
        end as comment_id
      from audit_personal_data p
      join audit_entries e on e.seq = p.seq
      where p.seq between ${from} and ${to} and (p.redacted_at is not null or p.content is null)
    )
    select seq::text, subject_type, subject_id, comment_id, redacted_at::text, redaction_reason
    from redacted d
    where d.comment_id is null or not exists (
      select 1 from audit_entries x
      where x.subject_type = 'comment' and x.subject_id = d.comment_id
        and x.action = 'comment.redacted' and x.seq > d.seq)
    order by d.seq
    limit 1`);
  const row = result.rows[0];
  if (!row) return null;
  const about =
    row.comment_id === null
      ? `${row.subject_type} ${row.subject_id ?? '(none)'}, which is not about a comment`
      : `comment ${row.comment_id}`;
  return {
    intact: false,
    seq: Number(row.seq),
    reason: `personal data is marked redacted (${row.redacted_at ?? 'no date'}${row.redaction_reason ? `, "${row.redaction_reason}"` : ''}) but no comment.redacted entry records a redaction of ${about}: it was blanked outside the retention and erasure path`,
  };
}

/** Checkpoints as plain data for a worker: [seq, [[headHash, signedAt], …]]. */
export type SignedHashes = [number, [string, string][]][];

export interface SegmentResult {
  firstSeq: number | null;
  firstPrevHash: string | null;
  lastHash: string | null;
  count: number;
  checkpoints: number;
  failure: { seq: number; reason: string } | null;
}

/**
 * Checks the entries `from`..`to` on their own: each entry's hash, its personal data, the links
 * between consecutive entries of the segment, and the signed checkpoints that fall inside. The
 * link into the segment's first entry is the caller's to check (firstPrevHash).
 */
export async function verifySegment(
  db: Queryable,
  from: number,
  to: number,
  batchSize: number,
  signed: SignedHashes,
  onProgress?: (checked: number, lastSeq: number) => void,
): Promise<SegmentResult> {
  const bySeq = new Map(signed);
  const out: SegmentResult = {
    firstSeq: null,
    firstPrevHash: null,
    lastHash: null,
    count: 0,
    checkpoints: 0,
    failure: null,
  };
  let expected = from;
  let prevHash: string | null = null;
  const fail = (seq: number, reason: string) => {
    out.failure = { seq, reason };
    return out;
  };
  for await (const rows of streamChain(db, from, to, batchSize)) {
    for (const entry of rows) {
      if (entry.seq !== expected) return fail(expected, 'entry is missing');
      if (out.firstSeq === null) {
        out.firstSeq = entry.seq;
        out.firstPrevHash = entry.prevHash;
      } else if (entry.prevHash !== prevHash) {
        return fail(
          entry.seq,
          'previous-hash link is broken (an entry before it was removed, reordered or rewritten)',
        );
      }
      if (hashEntry(entry) !== entry.hash) return fail(entry.seq, 'entry content does not match its hash');
      if (entry.personalDataHash) {
        if (!entry.personal) return fail(entry.seq, 'personal data record is missing');
        const { content, redactedAt } = entry.personal;
        if (!redactedAt && (!content || hashPersonalData(content) !== entry.personalDataHash)) {
          return fail(entry.seq, 'personal data does not match its hash');
        }
      }
      // The entry after a checkpoint is its signing: audit.checkpoint_signed naming the same head.
      const before = bySeq.get(entry.seq - 1);
      if (before) {
        const details = entry.details as { seq?: unknown; headHash?: unknown };
        for (const [headHash, signedAt] of before) {
          if (
            entry.action !== 'audit.checkpoint_signed' ||
            details.seq !== entry.seq - 1 ||
            details.headHash !== headHash
          ) {
            return fail(
              entry.seq,
              `entry is not the audit.checkpoint_signed entry of the checkpoint signed ${signedAt} at entry ${entry.seq - 1}: the log after the checkpoint was rewritten`,
            );
          }
        }
      }
      const checkpoints = bySeq.get(entry.seq);
      if (checkpoints) {
        for (const [headHash, signedAt] of checkpoints) {
          if (headHash !== entry.hash) {
            return fail(
              entry.seq,
              `entry does not match the checkpoint signed ${signedAt}: the log up to here was rewritten`,
            );
          }
          out.checkpoints += 1;
        }
      }
      prevHash = entry.hash;
      out.lastHash = entry.hash;
      expected += 1;
      out.count += 1;
    }
    onProgress?.(out.count, expected - 1);
  }
  if (expected <= to) return fail(expected, 'entry is missing');
  return out;
}

/** Below this many entries, one thread is quicker than starting workers. */
const PARALLEL_FROM = 200_000;

function defaultWorkers(entries: number): number {
  // Postgres needs cores of its own: threads only pay off on a machine with four or more.
  const cores = availableParallelism();
  if (entries < PARALLEL_FROM || cores < 4) return 1;
  return Math.min(4, cores - 1);
}

/** tsx's API, located from here (not from the worker's working directory). */
function tsxApi(): string {
  const root = dirname(createRequire(import.meta.url).resolve('tsx/package.json'));
  return pathToFileURL(join(root, 'dist/esm/api/index.mjs')).href;
}

function poolUrl(db: Queryable): string | null {
  if (!('$client' in db)) return null;
  const options = (db.$client as unknown as { options?: { connectionString?: string } }).options;
  return options?.connectionString ?? null;
}

/**
 * Splits the range between worker threads, each reading and hashing its own part over its own
 * connection; hashing is CPU-bound, so a million entries verify in a fraction of the time.
 */
async function verifyInWorkers(
  url: string,
  from: number,
  to: number,
  workers: number,
  batchSize: number,
  signed: SignedHashes,
  onProgress?: (checked: number, lastSeq: number) => void,
): Promise<SegmentResult[]> {
  const size = Math.ceil((to - from + 1) / workers);
  const done = new Array<number>(workers).fill(0);
  const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
  return Promise.all(
    Array.from({ length: workers }, (_, i) => {
      const segFrom = from + i * size;
      const segTo = Math.min(to, segFrom + size - 1);
      return new Promise<SegmentResult>((resolve, reject) => {
        const script = new URL(`./verify-worker${ext}`, import.meta.url);
        const options = {
          workerData: { url, from: segFrom, to: segTo, batchSize, signed },
          // Verification allocates a short-lived object per field of every row: a larger young
          // generation spends far less time collecting them.
          resourceLimits: { maxYoungGenerationSizeMb: 96 },
        };
        // Run from source (tsx), the worker loads itself through tsx's API; built, it is plain JS.
        const worker =
          ext === '.ts'
            ? new Worker(
                `import(${JSON.stringify(tsxApi())}).then(({ tsImport }) => tsImport(${JSON.stringify(script.href)}, ${JSON.stringify(import.meta.url)}))`,
                { ...options, eval: true },
              )
            : new Worker(script, options);
        worker.on('message', (message: { progress?: number; result?: SegmentResult; error?: string }) => {
          if (message.progress !== undefined) {
            done[i] = message.progress;
            onProgress?.(
              done.reduce((a, b) => a + b, 0),
              segFrom + message.progress - 1,
            );
          } else if (message.result) resolve(message.result);
          else if (message.error) reject(new Error(message.error));
        });
        worker.on('error', reject);
        worker.on('exit', (code) => {
          if (code !== 0) reject(new Error(`verify worker exited with code ${code}`));
        });
      });
    }),
  );
}
