import { and, asc, eq, isNull, lte } from 'drizzle-orm';
import { comments } from '../db/schema/index.js';
import { createBenchDatabase } from './bench-database.js';
import type { BenchRow } from './bench-result.js';
import { seedComments } from './seed-comments.js';

const TOTAL = Number(process.env.BENCH_SWEEP_COMMENTS ?? 1_000_000);
const RUNS = 5;
const TARGET_MS = 1_000;

/**
 * The deadline sweep's due query (services/deadlines/sweep-deadlines.ts, built the same way) over
 * TOTAL open comments, about 0.1% of them past their deadline: its time, and its plan, which must
 * come off comments_sweep_idx rather than scan the table.
 */
export async function benchDeadlineSweep(): Promise<BenchRow[]> {
  const bench = await createBenchDatabase(4);
  try {
    process.stderr.write(`sweep: seeding ${TOTAL.toLocaleString('en-GB')} open comments\n`);
    await seedComments(bench.db, { schools: 10, accounts: 100, total: TOTAL, openShare: 1, dueShare: 0.001 });
    const dueQuery = (now: Date) =>
      bench.db
        .select({ id: comments.id })
        .from(comments)
        .where(and(eq(comments.status, 'open'), isNull(comments.breachedAt), lte(comments.deadlineAt, now)))
        .orderBy(asc(comments.deadlineAt))
        .limit(1_000);

    const times: number[] = [];
    let found = 0;
    for (let i = 0; i < RUNS; i++) {
      const started = performance.now();
      found = (await dueQuery(new Date())).length;
      times.push(performance.now() - started);
    }
    times.sort((a, b) => a - b);
    const { sql: text, params } = dueQuery(new Date()).toSQL();
    const client = await bench.db.$client.connect();
    let plan: string[];
    try {
      const explained = await client.query(`explain (analyze, buffers) ${text}`, params);
      plan = explained.rows.map((r: Record<string, string>) => r['QUERY PLAN']!);
    } finally {
      client.release();
    }
    process.stdout.write(`sweep due query plan:\n${plan.map((l) => `  ${l}`).join('\n')}\n`);
    const usesIndex = plan.some((l) => l.includes('comments_sweep_idx'));
    const median = times[Math.floor(times.length / 2)]!;
    const worst = times[times.length - 1]!;
    return [
      {
        name: 'deadline sweep (due query)',
        figures: {
          open_comments: TOTAL,
          due_found: found,
          median_ms: Math.round(median * 10) / 10,
          worst_ms: Math.round(worst * 10) / 10,
          uses_comments_sweep_idx: usesIndex ? 'yes' : 'no',
        },
        figure: `${worst.toFixed(1)} ms worst of ${RUNS} (median ${median.toFixed(1)} ms), ${found} due of ${TOTAL.toLocaleString('en-GB')}, ${usesIndex ? 'index scan on comments_sweep_idx' : 'NOT using comments_sweep_idx'}`,
        target: `< ${TARGET_MS} ms, on comments_sweep_idx`,
        pass: worst < TARGET_MS && usesIndex,
      },
    ];
  } finally {
    await bench.drop();
  }
}
