import { fileURLToPath } from 'node:url';
import { isNotNull, sql } from 'drizzle-orm';
import { pino } from 'pino';
import { comments } from '../db/schema/index.js';
import { sealCredentials } from '../services/accounts/account-credentials.js';
import { startSandbox } from '../services/platforms/sandbox/sandbox-server.js';
import { startTraffic } from '../services/platforms/sandbox/traffic-generator.js';
import { createAccount, createSchool } from '../tests/helpers/factories.js';
import { testConfig } from '../tests/helpers/test-config.js';
import { clearRedisPrefix } from '../tests/helpers/test-redis.js';
import { startWorkerRuntime } from '../workers/worker-runtime.js';
import { createBenchDatabase, percentile } from './bench-database.js';
import type { BenchResult } from './classifier.js';

const ACCOUNTS = Number(process.env.BENCH_INGEST_ACCOUNTS ?? 50);
const PER_ACCOUNT = Number(process.env.BENCH_INGEST_PER_ACCOUNT ?? 2_000);
const LIVE_SECONDS = Number(process.env.BENCH_LIVE_SECONDS ?? 20);
const LIVE_POLL_SECONDS = 2;

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
export async function benchIngest(): Promise<BenchResult[]> {
  const bench = await createBenchDatabase(30);
  const sandbox = await startSandbox({
    port: 0,
    host: '127.0.0.1',
    rateLimits: { 'GET /2/users/:id/mentions': { limit: 100_000, windowSeconds: 900 } },
    // Every preloaded mention reachable (X's timeline reaches 800): the run must be able to finish.
    mentionReach: PER_ACCOUNT,
  });
  const config = testConfig({ X_API_BASE_URL: sandbox.url, WORKER_CONCURRENCY: '16', LOG_LEVEL: 'silent' });
  const results: BenchResult[] = [];
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
    const insertRaw = async (size: number, tag: string) => {
      const began = performance.now();
      for (let i = 0; i < tweets.length; i += size) {
        const batch = tweets.slice(i, i + size);
        await bench.db.insert(comments).values(
          batch.map(({ tweet, accountId }) => ({
            schoolId: school.id,
            accountId,
            platform: 'x' as const,
            externalId: `${tag}-${tweet.id}`,
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
      // An empty table for the next run (and for the pipeline), without dead rows in its way.
      await bench.db.execute(sql`truncate comments cascade`);
      return seconds;
    };
    // The issue's baseline: multi-row INSERTs of 1,000. Beside it, pages of 100 as a poll stores them.
    const pageBaselineSeconds = await insertRaw(100, 'page');
    const baselineSeconds = await insertRaw(1_000, 'baseline');

    const runtime = await startWorkerRuntime({
      config,
      db: bench.db,
      logger: pino({ level: 'silent' }),
      ...(process.env.BENCH_INGEST_QUEUES ? { queues: process.env.BENCH_INGEST_QUEUES.split(',') } : {}),
    });
    const start = performance.now();
    const startedAt = new Date().toISOString();
    await Promise.all(dbAccounts.map((a) => runtime.deps.queues.add('poll-account', { accountId: a.id })));
    const done = await waitUntil(async () => {
      const [row] = await bench.db
        .select({ n: sql<number>`count(*)::int` })
        .from(comments)
        .where(isNotNull(comments.processedAt));
      return (row?.n ?? 0) >= total;
    }, 15 * 60_000);
    const endToEndSeconds = (performance.now() - start) / 1_000;
    // Where the time went: the last page stored (polling) against the last comment processed.
    const [spread] = (
      await bench.db.execute<{ stored: number; processed: number }>(
        sql`select extract(epoch from max(ingested_at) - ${startedAt}::timestamptz) as stored,
                   extract(epoch from max(processed_at) - ${startedAt}::timestamptz) as processed
            from comments`,
      )
    ).rows;
    const baselineRate = total / baselineSeconds;
    const rate = total / endToEndSeconds;
    results.push({
      name: 'ingest: first poll to all processed',
      figures: {
        comments: total,
        'end-to-end comments/s': Math.round(rate),
        'raw INSERT comments/s': Math.round(baselineRate),
        ratio: Number((rate / baselineRate).toFixed(3)),
        'raw INSERT in pages of 100 comments/s': Math.round(total / pageBaselineSeconds),
        'last stored at s': Number(Number(spread?.stored ?? Number.NaN).toFixed(1)),
        'last processed at s': Number(Number(spread?.processed ?? Number.NaN).toFixed(1)),
        completed: done ? 'yes' : 'no (timed out)',
      },
      target: 'ratio ≥ 0.5',
      pass: done && rate / baselineRate >= 0.5,
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
