import { and, asc, eq, getTableColumns, inArray, isNull, sql } from 'drizzle-orm';
import type { Transaction } from '../../db/client.js';
import { type Comment, comments } from '../../db/schema/index.js';
import { withBufferedAudit } from '../audit/emit-audit.js';
import { metrics } from '../core/metrics.js';
import type { ServiceContext } from '../core/service-context.js';
import { withTransaction } from '../core/with-transaction.js';
import { createProcessingBatch, type ProcessingState, type ProcessingStep } from './processing-pipeline.js';

export type ProcessCommentResult =
  | { status: 'processed'; steps: string[] }
  | { status: 'already_processed' | 'not_found' };

export interface ProcessCommentsResult {
  /** Comments this call processed. */
  processed: number;
  /** Ids asked for that were already processed, locked by another job, or gone. */
  skipped: number;
  /** Whether the batch ran in one transaction (false: it fell back to one per comment). */
  batched: boolean;
}

/** Largest batch one `process` job takes: a poll page is at most 100. */
export const MAX_PROCESS_BATCH = 500;

/**
 * Runs the processing steps for one comment exactly once: the row is locked and only an
 * unprocessed row is taken, so a duplicated or re-delivered job finds nothing to do. Effects that
 * leave the database (timers, notifications) run after commit.
 */
export async function processComment(
  ctx: ServiceContext,
  input: { commentId: string },
  steps: readonly ProcessingStep[],
): Promise<ProcessCommentResult> {
  const { processed } = await runBatch(ctx, [input.commentId], steps);
  if (processed === 0) {
    const [row] = await ctx.db
      .select({ id: comments.id })
      .from(comments)
      .where(eq(comments.id, input.commentId));
    return { status: row ? 'already_processed' : 'not_found' };
  }
  return { status: 'processed', steps: steps.map((s) => s.name) };
}

/**
 * Processes a batch of comments (a poll page) in one transaction: the unprocessed rows among
 * `commentIds` are locked with `for update skip locked` (a row another job holds is left to that
 * job, a processed row is skipped: exactly once), every step runs for each comment in order, the
 * audit entries of the whole batch are appended to the chain in one write, and the column updates
 * are written with one multi-row UPDATE per shape. If the batch fails, each comment is retried in
 * a transaction of its own so one bad comment cannot hold back the others; the job then fails for
 * that one alone and is retried (or relayed).
 */
export async function processComments(
  ctx: ServiceContext,
  input: { commentIds: readonly string[] },
  steps: readonly ProcessingStep[],
): Promise<ProcessCommentsResult> {
  const ids = [...new Set(input.commentIds)].sort();
  if (ids.length === 0) return { processed: 0, skipped: 0, batched: true };
  if (ids.length === 1 || ctx.tx) {
    const { processed } = await runBatch(ctx, ids, steps);
    return { processed, skipped: ids.length - processed, batched: true };
  }
  try {
    const { processed } = await runBatch(ctx, ids, steps);
    return { processed, skipped: ids.length - processed, batched: true };
  } catch {
    let processed = 0;
    let firstError: unknown;
    for (const id of ids) {
      try {
        processed += (await runBatch(ctx, [id], steps)).processed;
      } catch (error) {
        firstError ??= error;
      }
    }
    if (firstError) throw firstError;
    // The batch failed but every comment went through alone (a conflict, say): nothing is lost.
    return { processed, skipped: ids.length - processed, batched: false };
  }
}

async function runBatch(
  ctx: ServiceContext,
  ids: readonly string[],
  steps: readonly ProcessingStep[],
): Promise<{ processed: number }> {
  const outcome = await withTransaction(ctx, async (tx, txCtx) => {
    const claimed = await tx
      .select()
      .from(comments)
      .where(and(inArray(comments.id, [...ids]), isNull(comments.processedAt)))
      .orderBy(asc(comments.id))
      .for('update', { skipLocked: true });
    if (claimed.length === 0) return null;
    if (!ctx.tx) await tx.execute(ASYNC_COMMIT);
    const batch = createProcessingBatch();
    const done = await withBufferedAudit(tx, async () => {
      const done: ProcessingState[] = [];
      for (const [i, comment] of claimed.entries()) {
        // Steps whose reads are memoised for the batch resolve without I/O, so a batch would
        // otherwise run start to end in one stretch of the event loop; another job's Postgres reply
        // (a COMMIT that releases the audit chain's head) would wait behind it.
        if (i > 0 && i % YIELD_EVERY === 0) await new Promise((resolve) => setImmediate(resolve));
        const state: ProcessingState = { comment, updates: {}, afterCommit: [], batch };
        for (const step of steps) {
          await step.run(tx, txCtx, state);
          state.comment = { ...state.comment, ...state.updates };
        }
        done.push(state);
      }
      await writeUpdates(tx, done, new Date());
      return done;
    });
    return { states: done, batch };
  });
  if (!outcome) return { processed: 0 };
  const now = Date.now();
  for (const state of outcome.states)
    metrics.processingLag.observe((now - state.comment.ingestedAt.getTime()) / 1_000);
  for (const state of outcome.states) for (const effect of state.afterCommit) await effect();
  await outcome.batch.flushAfterCommit();
  return { processed: outcome.states.length };
}

const COLUMNS = getTableColumns(comments);
/** Comments processed between two turns of the event loop. */
const YIELD_EVERY = 10;

/**
 * The batch's commit does not wait for the WAL flush. Safe here because the work is idempotent and
 * Postgres is its only record: if the server crashed before the flush, the rows are unprocessed
 * again (with their audit entries and notifications gone with them) and the relay redoes them;
 * timers are re-placed, not added. A later synchronous commit flushes this one first.
 */
export const ASYNC_COMMIT = sql`set local synchronous_commit = off`;

/**
 * Writes each comment's updates plus `processed_at`, one UPDATE per set of updated columns (the
 * steps usually update the same columns for every comment, so one statement for the batch). Rows
 * travel as JSON and are read back as `comments` records, so every column keeps its own type.
 */
async function writeUpdates(tx: Transaction, states: readonly ProcessingState[], processedAt: Date) {
  const groups = new Map<string, ProcessingState[]>();
  for (const state of states) {
    const keys = Object.keys(state.updates)
      .filter((k) => k !== 'id' && k !== 'processedAt' && Object.hasOwn(COLUMNS, k))
      .sort()
      .join(',');
    const group = groups.get(keys);
    if (group) group.push(state);
    else groups.set(keys, [state]);
  }
  for (const [joined, group] of groups) {
    const keys = (joined ? joined.split(',') : []) as (keyof Comment)[];
    const rows = group.map((state) => {
      const row: Record<string, unknown> = { id: state.comment.id };
      for (const key of keys) row[COLUMNS[key].name] = toJson(state.updates[key]);
      return row;
    });
    const sets = keys.map((key) => {
      const column = sql.identifier(COLUMNS[key].name);
      return sql`${column} = r.${column}`;
    });
    sets.push(sql`processed_at = ${processedAt.toISOString()}::timestamptz`);
    await tx.execute(
      sql`update comments c set ${sql.join(sets, sql`, `)}
          from jsonb_populate_recordset(null::comments, ${JSON.stringify(rows)}::jsonb) r
          where c.id = r.id`,
    );
  }
}

function toJson(value: unknown): unknown {
  if (value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  return value;
}
