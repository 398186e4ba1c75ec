import { fileURLToPath } from 'node:url';
import { isNotNull, sql } from 'drizzle-orm';
import { Redis } from 'ioredis';
import pg from 'pg';
import { pino } from 'pino';
import { comments } from '../db/schema/index.js';
import { startSandbox } from '../sandbox/server.js';
import { startTraffic } from '../sandbox/x/traffic.js';
import { sealCredentials } from '../services/accounts/account-credentials.js';
import { createAccount, createSchool } from '../tests/helpers/factories.js';
import { testConfig } from '../tests/helpers/test-config.js';
import { TEST_REDIS_URL } from '../tests/helpers/test-database-url.js';
import { clearRedisPrefix } from '../tests/helpers/test-redis.js';
import { startWorkerRuntime } from '../workers/worker-runtime.js';
import { createBenchDatabase, percentile } from './bench-database.js';
import type { BenchRow } from './bench-result.js';
import { type CpuSplit, measureCpu, sumCpu } from './cpu-usage.js';

const ACCOUNTS = Number(process.env.BENCH_INGEST_ACCOUNTS ?? 50);
const PER_ACCOUNT = Number(process.env.BENCH_INGEST_PER_ACCOUNT ?? 2_000);
const LIVE_SECONDS = Number(process.env.BENCH_LIVE_SECONDS ?? 20);
const LIVE_POLL_SECONDS = 2;

/** The Redis server's pid, to count its CPU (it runs on this machine in the benchmark). */
async function redisProcessId(): Promise<number | null> {
  const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
  try {
    const info = await redis.info('server');
    const pid = /process_id:(\d+)/.exec(info)?.[1];
    return pid ? Number(pid) : null;
  } finally {
    redis.disconnect();
  }
}

async function waitUntil(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 250));
  }
  return false;
}

/**
 * End to end: 100,000 mentions on the sandbox across 50 accounts, from the first poll to every
 * comment processed (classified, routed, audited), against inserting the same rows straight
 * into the comments table in multi-row INSERTs of 1,000. Then live traffic at 10 comments/s:
 * time from a comment's creation on the platform to its processed row.
 */
export async function benchIngest(): Promise<BenchRow[]> {
  const bench = await createBenchDatabase(30);
  const sandbox = await startSandbox({
    port: 0,
    host: '127.0.0.1',
    rateLimits: { 'GET /2/users/:id/mentions': { limit: 100_000, windowSeconds: 900 } },
    // Every preloaded mention reachable (X's timeline reaches 800): the run must be able to finish.
    mentionReach: PER_ACCOUNT,
  });
  const config = testConfig({ X_API_BASE_URL: sandbox.url, WORKER_CONCURRENCY: '16', LOG_LEVEL: 'silent' });
  const results: BenchRow[] = [];
  try {
    const school = await createSchool(bench.db);
    const { accounts } = sandbox.state.preload({ accounts: ACCOUNTS, mentionsPerAccount: PER_ACCOUNT });
    const total = ACCOUNTS * PER_ACCOUNT;
    const dbAccounts: Awaited<ReturnType<typeof createAccount>>[] = [];
    for (const user of accounts) {
      const issued = sandbox.state.issueToken(user.id, { clientId: config.x.clientId, ttlSeconds: 86_400 });
      dbAccounts.push(
        await createAccount(bench.db, {
          schoolId: school.id,
          handle: user.username,
          platformUserId: user.id,
          credentialsEncrypted: sealCredentials(config.encryptionKey, {
            accessToken: issued.accessToken,
            refreshToken: issued.refreshToken,
            expiresAt: issued.expiresAt,
          }),
        }),
      );
    }

    // Baseline: the same rows straight into Postgres.
    const tweets = accounts.flatMap((user, i) =>
      sandbox.state.mentionsOf(user.id).map((tweet) => ({ tweet, accountId: dbAccounts[i]!.id })),
    );
    const emptyComments = async () => {
      // An empty table for the next run (and for the pipeline), without dead rows in its way.
      await bench.db.execute(sql`truncate comments cascade`);
    };
    // The issue's baseline: multi-row INSERTs of 1,000 over pg, a bind parameter per value, on
    // one connection. Three runs; the median is the baseline (single runs here vary by ±20%).
    const insertOverPg = async (tag: string, redisPid: number | null) => {
      const client = new pg.Client({ connectionString: bench.url });
      await client.connect();
      let cpu: ReturnType<typeof measureCpu> | undefined;
      try {
        cpu = measureCpu(redisPid);
        const began = performance.now();
        for (let i = 0; i < tweets.length; i += 1_000) {
          const params: unknown[] = [];
          const rows: string[] = [];
          for (const { tweet, accountId } of tweets.slice(i, i + 1_000)) {
            const n = params.length;
            params.push(
              school.id,
              accountId,
              'x',
              `${tag}-${tweet.id}`,
              tweet.conversationId,
              tweet.authorId,
              'baseline',
              'baseline',
              tweet.text,
              new Date(tweet.createdAt),
            );
            rows.push(`(${Array.from({ length: 10 }, (_, k) => `$${n + k + 1}`).join(',')})`);
          }
          await client.query(
            `insert into comments (school_id, account_id, platform, external_id, conversation_id,
               author_external_id, author_handle, author_name, text, posted_at)
             values ${rows.join(',')}`,
            params,
          );
        }
        const seconds = (performance.now() - began) / 1_000;
        return { seconds, cpu: cpu.stop() };
      } finally {
        await client.end();
        await emptyComments();
      }
    };
    // Beside it, the same through drizzle's query builder (what earlier notes quoted): building a
    // 10,000-parameter statement costs drizzle more CPU than Postgres takes to store the rows,
    // which is why the product's own insert sends a page as one JSON parameter instead.
    const insertOverDrizzle = async () => {
      const began = performance.now();
      for (let i = 0; i < tweets.length; i += 1_000) {
        await bench.db.insert(comments).values(
          tweets.slice(i, i + 1_000).map(({ tweet, accountId }) => ({
            schoolId: school.id,
            accountId,
            platform: 'x' as const,
            externalId: `drizzle-${tweet.id}`,
            conversationId: tweet.conversationId,
            authorExternalId: tweet.authorId,
            authorHandle: 'baseline',
            authorName: 'baseline',
            text: tweet.text,
            postedAt: new Date(tweet.createdAt),
          })),
        );
      }
      const seconds = (performance.now() - began) / 1_000;
      await emptyComments();
      return seconds;
    };
    const redisPid = await redisProcessId();
    const runs = [
      await insertOverPg('a', redisPid),
      await insertOverPg('b', redisPid),
      await insertOverPg('c', redisPid),
    ];
    const pgRuns = runs.map((r) => r.seconds);
    // The inserts' own CPU (not the truncate between runs).
    const baselineCpuUsed = sumCpu(runs.map((r) => r.cpu));
    const baselineSeconds = [...pgRuns].sort((a, b) => a - b)[1]!;
    const drizzleSeconds = await insertOverDrizzle();

    const runtime = await startWorkerRuntime({
      config,
      db: bench.db,
      logger: pino({ level: 'silent' }),
      ...(process.env.BENCH_INGEST_QUEUES ? { queues: process.env.BENCH_INGEST_QUEUES.split(',') } : {}),
    });
    const pipelineCpu = measureCpu(redisPid);
    const start = performance.now();
    const startedAt = new Date().toISOString();
    await Promise.all(dbAccounts.map((a) => runtime.deps.queues.add('poll-account', { accountId: a.id })));
    // Finished when nothing waits for processing and every row is there. The first question is
    // answered from the partial index on unprocessed rows; a full count every 250 ms would cost
    // Postgres a tenth of a core, taken from the pipeline being measured.
    const done = await waitUntil(async () => {
      const waiting = await bench.db.execute(sql`select 1 from comments where processed_at is null limit 1`);
      if (waiting.rows.length > 0) return false;
      const [row] = await bench.db
        .select({ n: sql<number>`count(*)::int` })
        .from(comments)
        .where(isNotNull(comments.processedAt));
      return (row?.n ?? 0) >= total;
    }, 15 * 60_000);
    const endToEndSeconds = (performance.now() - start) / 1_000;
    const pipelineCpuUsed = pipelineCpu.stop();
    // Where the time went: the last page stored (polling) against the last comment processed.
    const [spread] = (
      await bench.db.execute<{ stored: number; processed: number }>(
        sql`select extract(epoch from max(ingested_at) - ${startedAt}::timestamptz) as stored,
                   extract(epoch from max(processed_at) - ${startedAt}::timestamptz) as processed
            from comments`,
      )
    ).rows;
    const baselineRate = total / baselineSeconds;
    const drizzleRate = total / drizzleSeconds;
    const rate = total / endToEndSeconds;
    const perThousand = (split: CpuSplit | null, runs: number) =>
      split
        ? Object.fromEntries(
            Object.entries(split).map(([k, v]) => [
              `${k.replace(' s', '')} ms per 1,000 ${runs > 1 ? 'rows' : 'comments'}`,
              Number(((v * 1_000) / ((total * runs) / 1_000)).toFixed(1)),
            ]),
          )
        : {};
    results.push({
      name: 'ingest: first poll to all processed',
      figures: {
        comments: total,
        'end-to-end comments/s': Math.round(rate),
        'raw INSERT over pg comments/s (median of 3)': Math.round(baselineRate),
        'raw INSERT runs s': pgRuns.map((s) => s.toFixed(2)).join(' / '),
        ratio: Number((rate / baselineRate).toFixed(3)),
        'raw INSERT through drizzle comments/s': Math.round(drizzleRate),
        'ratio to drizzle INSERT': Number((rate / drizzleRate).toFixed(3)),
        'last stored at s': Number(Number(spread?.stored ?? Number.NaN).toFixed(1)),
        'last processed at s': Number(Number(spread?.processed ?? Number.NaN).toFixed(1)),
        completed: done ? 'yes' : 'no (timed out)',
      },
      figure: `${Math.round(rate)} comments/s end to end vs ${Math.round(baselineRate)}/s raw INSERT over pg = ratio ${(rate / baselineRate).toFixed(3)}`,
      target: 'ratio ≥ 0.5',
      pass: done && rate / baselineRate >= 0.5,
    });
    results.push({
      name: 'ingest: where the CPU went',
      figures: {
        ...Object.fromEntries(
          Object.entries(perThousand(baselineCpuUsed, 3)).map(([k, v]) => [`raw INSERT: ${k}`, v]),
        ),
        ...Object.fromEntries(
          Object.entries(perThousand(pipelineCpuUsed, 1)).map(([k, v]) => [`pipeline: ${k}`, v]),
        ),
      },
    });

    // Live traffic: creation on the platform to processed row.
    const live = dbAccounts.slice(0, 5);
    for (const a of live) await runtime.deps.pollScheduler.startPolling(a.id, LIVE_POLL_SECONDS);
    const liveStart = new Date();
    const traffic = startTraffic({
      sandbox: sandbox.state,
      accounts: live.map((a) => a.handle),
      ratePerSecond: 10,
      seed: 7,
    });
    await new Promise((r) => setTimeout(r, LIVE_SECONDS * 1_000));
    await traffic.stop();
    await new Promise((r) => setTimeout(r, (LIVE_POLL_SECONDS + 3) * 1_000));
    const rows = await bench.db.execute<{ lag_ms: number }>(
      sql`select extract(epoch from (processed_at - posted_at)) * 1000 as lag_ms from comments where posted_at >= ${liveStart} and processed_at is not null`,
    );
    const lags = rows.rows.map((r) => Number(r.lag_ms)).sort((a, b) => a - b);
    const p95 = percentile(lags, 95);
    results.push({
      name: 'ingest: live traffic at 10 comments/s',
      figures: {
        comments: lags.length,
        'poll interval s': LIVE_POLL_SECONDS,
        'p50 ms': Math.round(percentile(lags, 50)),
        'p95 ms': Math.round(p95),
      },
      target: `p95 ≤ poll interval + 2 s = ${(LIVE_POLL_SECONDS + 2) * 1_000} ms`,
      pass: p95 <= (LIVE_POLL_SECONDS + 2) * 1_000,
    });
    await runtime.close();
  } finally {
    await clearRedisPrefix(config.redisPrefix);
    await sandbox.close();
    await bench.drop();
  }
  return results;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const results = await benchIngest();
  for (const r of results)
    console.log(
      r.name,
      JSON.stringify(r.figures),
      r.target ?? '',
      r.pass === undefined ? '' : r.pass ? 'PASS' : 'MISS',
    );
  process.exit(0);
}
