import { eq, sql } from 'drizzle-orm';
import { expect } from 'vitest';
import type { Database } from '../../db/client.js';
import { comments } from '../../db/schema/index.js';

/**
 * Polls `probe` until it returns a value (not undefined/false); fails with `what` after `ms`,
 * and with what `state` says of the system then, so a timeout says which part was stuck.
 */
export async function until<T>(
  what: string,
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  ms = 60_000,
  state?: () => Promise<unknown>,
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > end)
      throw new Error(
        `timed out waiting for ${what}${state ? `; state then: ${JSON.stringify(await state())}` : ''}`,
      );
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Ends every other connection to the test's OWN database (never another file's): what a
 * Postgres restart or failover does to the pools.
 */
export async function terminateOwnConnections(db: Database): Promise<number> {
  const result = await db.execute<{ pid: number }>(
    sql`select pg_terminate_backend(pid) as pid from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()`,
  );
  return result.rows.length;
}

/** How many audit entries of an action each subject has: "exactly once" checks. */
export async function auditCounts(db: Database, action: string): Promise<Map<string, number>> {
  const rows = await db.execute<{ subject_id: string; n: string }>(
    sql`select subject_id, count(*) as n from audit_entries where action = ${action} group by subject_id`,
  );
  return new Map(rows.rows.map((r) => [r.subject_id, Number(r.n)]));
}

/**
 * What every fault test ends on: waits until the account holds the comments `posted` on the
 * platform, each processed, then checks none is missing or doubled and each got exactly one
 * deadline. Returns the rows for the file's own checks.
 */
export async function expectEachCommentOnce(db: Database, accountId: string, posted: ReadonlySet<string>) {
  await until(
    'every comment processed',
    async () => {
      const rows = await db
        .select({ processedAt: comments.processedAt })
        .from(comments)
        .where(eq(comments.accountId, accountId));
      return rows.length === posted.size && rows.every((r) => r.processedAt !== null);
    },
    60_000,
  );
  const rows = await db.select().from(comments).where(eq(comments.accountId, accountId));
  expect(rows).toHaveLength(posted.size);
  expect(new Set(rows.map((r) => r.externalId))).toEqual(posted);
  const deadlineSet = await auditCounts(db, 'comment.deadline_set');
  expect(rows.filter((r) => deadlineSet.get(r.id) !== 1)).toEqual([]);
  return rows;
}
