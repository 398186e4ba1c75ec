import autocannon from 'autocannon';
import { sql } from 'drizzle-orm';
import { buildApp } from '../services/api/build-app.js';
import { createSession, SESSION_COOKIE } from '../services/auth/session-store.js';
import { createProducerRedis } from '../services/core/redis-connections.js';
import { createUser } from '../tests/helpers/factories.js';
import { testConfig } from '../tests/helpers/test-config.js';
import { clearRedisPrefix } from '../tests/helpers/test-redis.js';
import { createBenchDatabase } from './bench-database.js';
import type { BenchRow } from './bench-result.js';
import { seedComments } from './seed-comments.js';

const TOTAL = Number(process.env.BENCH_INBOX_COMMENTS ?? 1_000_000);
const SECONDS = Number(process.env.BENCH_INBOX_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_INBOX_CONNECTIONS ?? 10);
const P99_TARGET_MS = 50;
const SHARE_TARGET = 0.25;

interface Load {
  p50: number;
  p99: number;
  rps: number;
  errors: number;
  non2xx: number;
}

async function load(url: string, headers: Record<string, string>): Promise<Load> {
  const result = await autocannon({ url, headers, connections: CONNECTIONS, duration: SECONDS });
  return {
    p50: result.latency.p50,
    p99: result.latency.p99,
    rps: result.requests.average,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  };
}

/**
 * The inbox under load: TOTAL comments over 100 accounts in 10 schools (5% open), a comms member
 * of one school signed in, autocannon against GET /api/inbox with the session cookie, and against
 * a bare route on the same Fastify instance (same hooks, no database) as the ceiling.
 */
export async function benchInbox(): Promise<BenchRow[]> {
  const bench = await createBenchDatabase(20);
  const config = testConfig({ DATABASE_URL: bench.url, LOG_LEVEL: 'silent' });
  const redis = createProducerRedis(config.redisUrl);
  try {
    process.stderr.write(`inbox: seeding ${TOTAL.toLocaleString('en-GB')} comments over 100 accounts\n`);
    const scene = await seedComments(bench.db, { schools: 10, accounts: 100, total: TOTAL, openShare: 0.05 });
    const schoolId = scene.schoolIds[0]!;
    const user = await createUser(bench.db, { trustId: scene.trustId, roles: [{ schoolId, role: 'comms' }] });
    const session = await createSession(bench.db, { userId: user.id, method: 'password' });
    const headers = { cookie: `${SESSION_COOKIE}=${session.cookieValue}` };

    const app = await buildApp(config, { db: bench.db, redis, logger: false });
    app.get('/bench/bare', { schema: { hide: true } }, async () => ({ ok: true }));
    const base = await app.listen({ host: '127.0.0.1', port: 0 });
    try {
      const check = await fetch(`${base}/api/inbox`, { headers });
      const first = (await check.json()) as { items: unknown[] };
      if (check.status !== 200 || first.items.length === 0) throw new Error(`inbox answered ${check.status}`);
      const [{ open } = { open: 0 }] = (
        await bench.db.execute<{ open: number }>(
          sql`select count(*)::int as open from comments where school_id = ${schoolId} and status = 'open'`,
        )
      ).rows;
      process.stderr.write(`inbox: ${open} open comments at the user's school; warming up\n`);
      await autocannon({ url: `${base}/api/inbox`, headers, connections: CONNECTIONS, duration: 2 });
      const inbox = await load(`${base}/api/inbox`, headers);
      const bare = await load(`${base}/bench/bare`, {});
      const share = inbox.rps / bare.rps;
      const cache = app.inboxPages.stats;
      process.stderr.write(`inbox: page cache ${cache.hits} hits, ${cache.misses} misses\n`);
      // The same load with the page cache off: every request renders its page in Postgres.
      await app.inboxPages.close();
      const uncached = await load(`${base}/api/inbox`, headers);
      const round = (n: number) => Math.round(n * 10) / 10;
      return [
        {
          name: 'inbox p99 under load',
          figures: {
            comments: TOTAL,
            open_at_school: open,
            connections: CONNECTIONS,
            inbox_p50_ms: inbox.p50,
            inbox_p99_ms: inbox.p99,
            inbox_rps: round(inbox.rps),
            errors: inbox.errors + inbox.non2xx,
          },
          figure: `p50 ${inbox.p50} ms, p99 ${inbox.p99} ms (${TOTAL.toLocaleString('en-GB')} comments, ${CONNECTIONS} connections)`,
          baseline: `bare route p50 ${bare.p50} ms, p99 ${bare.p99} ms`,
          target: `p99 < ${P99_TARGET_MS} ms`,
          pass: inbox.p99 < P99_TARGET_MS && inbox.errors + inbox.non2xx === 0,
        },
        {
          name: 'inbox requests/s vs bare route',
          figures: {
            inbox_rps: round(inbox.rps),
            bare_rps: round(bare.rps),
            share: Math.round(share * 1000) / 1000,
            page_cache_hits: cache.hits,
            page_cache_misses: cache.misses,
            uncached_rps: round(uncached.rps),
            uncached_p99_ms: uncached.p99,
          },
          figure: `${round(inbox.rps)} req/s (${(share * 100).toFixed(1)}% of the bare route)`,
          baseline: `bare route ${round(bare.rps)} req/s; page cache off ${round(uncached.rps)} req/s`,
          target: `≥ ${SHARE_TARGET * 100}% of the bare route`,
          pass: share >= SHARE_TARGET,
        },
      ];
    } finally {
      await app.close();
    }
  } finally {
    redis.disconnect();
    await clearRedisPrefix(config.redisPrefix);
    await bench.drop();
  }
}
