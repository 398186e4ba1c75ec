import { createHmac } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { inArray, sql } from 'drizzle-orm';
import Fastify from 'fastify';
import { pino } from 'pino';
import { comments } from '../db/schema/index.js';
import { startSandbox } from '../sandbox/server.js';
import { sealCredentials } from '../services/accounts/account-credentials.js';
import { buildApp } from '../services/api/build-app.js';
import { createAccount, createSchool } from '../tests/helpers/factories.js';
import { metaTestEnv, testConfig } from '../tests/helpers/test-config.js';
import { clearRedisPrefix } from '../tests/helpers/test-redis.js';
import { startWorkerRuntime } from '../workers/worker-runtime.js';
import { createBenchDatabase, percentile } from './bench-database.js';
import type { BenchRow } from './bench-result.js';

const PAGES = Number(process.env.BENCH_META_PAGES ?? 5);
const LATENCY_COMMENTS = Number(process.env.BENCH_META_COMMENTS ?? 200);
const LATENCY_RATE = Number(process.env.BENCH_META_RATE ?? 10);
const POLL_SECONDS = 2;
const INTAKE_DELIVERIES = Number(process.env.BENCH_META_DELIVERIES ?? 2_000);
const INTAKE_CONCURRENCY = 16;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitUntil(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) return true;
    await sleep(100);
  }
  return false;
}

/** `count` deliveries to `url`, `concurrency` at a time; deliveries/s and how many were not 200. */
async function fire(url: string, bodies: string[], secret: string, concurrency: number) {
  let next = 0;
  let failed = 0;
  const began = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < bodies.length) {
        const body = bodies[next++]!;
        const res = await fetch(url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'x-hub-signature-256': `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`,
          },
          body,
        });
        await res.arrayBuffer();
        if (res.status !== 200) failed++;
      }
    }),
  );
  return { perSecond: bodies.length / ((performance.now() - began) / 1_000), failed };
}

/**
 * Facebook detection latency and webhook intake (issue #18). Latency: from a comment's creation in
 * the Meta sandbox (the bench's clock as it adds the comment) to its row in the inbox (stored, and
 * processed: classified and routed), at 10 comments/s over five Pages — once by webhook with
 * polling off, once by a 2-second poll with webhooks off. Intake: signed Facebook deliveries of one
 * new comment each, 16 in flight, to the product's POST /webhooks/meta (signature, parse, store,
 * enqueue), against a bare Fastify route answering 200 to the same bodies, in the same run.
 */
export async function benchMetaWebhook(): Promise<BenchRow[]> {
  const bench = await createBenchDatabase(20);
  const sandbox = await startSandbox({ port: 0, host: '127.0.0.1' });
  sandbox.meta.usage.set({ app: 1_000_000, user: 1_000_000, page: 1_000_000 });
  const config = testConfig({
    ...metaTestEnv(sandbox.url),
    X_API_BASE_URL: sandbox.url,
    WORKER_CONCURRENCY: '8',
    LOG_LEVEL: 'silent',
  });
  const secret = config.meta!.appSecret;
  const results: BenchRow[] = [];
  const bare = Fastify({ logger: false });
  bare.post('/webhooks/meta', async () => ({ ok: true }));
  const app = await buildApp(config, { db: bench.db, logger: false });
  let runtime: Awaited<ReturnType<typeof startWorkerRuntime>> | undefined;
  try {
    const appUrl = await app.listen({ host: '127.0.0.1', port: 0 });
    const bareUrl = await bare.listen({ host: '127.0.0.1', port: 0 });
    const school = await createSchool(bench.db);
    const meta = sandbox.meta.state;
    const pages = Array.from({ length: PAGES }, (_, i) =>
      meta.createPage({ name: `Bench School ${i + 1}`, admins: [`Bench Head ${i + 1}`] }),
    );
    const posts = pages.map((p) => meta.createPost({ page: p.id, message: 'Sports day is on Friday' }));
    const accounts = [];
    for (const page of pages) {
      accounts.push(
        await createAccount(bench.db, {
          schoolId: school.id,
          platform: 'facebook',
          handle: page.name,
          platformUserId: page.id,
          credentialsEncrypted: sealCredentials(config.encryptionKey, {
            accessToken: meta.issuePageToken(page.id).token,
          }),
        }),
      );
    }
    runtime = await startWorkerRuntime({ config, db: bench.db, logger: pino({ level: 'silent' }) });
    for (const a of accounts) await runtime.deps.pollScheduler.stopPolling(a.id);

    // Adds comments at the rate, round the Pages; returns creation time (ms) by comment id.
    let n = 0;
    const addComments = async () => {
      const created = new Map<string, number>();
      const began = performance.now();
      for (let i = 0; i < LATENCY_COMMENTS; i++) {
        const due = began + (i * 1_000) / LATENCY_RATE;
        const wait = due - performance.now();
        if (wait > 0) await sleep(wait);
        const post = posts[i % posts.length]!;
        const comment = meta.addComment({
          on: post.id,
          from: `Parent ${n}`,
          message: `Bench comment ${n++}`,
        });
        created.set(comment.id, Date.now());
      }
      return created;
    };
    const lagsOf = async (created: Map<string, number>) => {
      const ids = [...created.keys()];
      const all = await waitUntil(async () => {
        const [row] = await bench.db
          .select({ n: sql<number>`count(*)::int` })
          .from(comments)
          .where(sql`${inArray(comments.externalId, ids)} and processed_at is not null`);
        return (row?.n ?? 0) >= ids.length;
      }, 120_000);
      const rows = await bench.db
        .select({
          externalId: comments.externalId,
          ingestedAt: comments.ingestedAt,
          processedAt: comments.processedAt,
        })
        .from(comments)
        .where(inArray(comments.externalId, ids));
      const lag = (at: Date | null, id: string) => (at ? at.getTime() - created.get(id)! : Number.NaN);
      const sorted = (xs: number[]) => xs.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
      return {
        complete: all,
        found: rows.length,
        stored: sorted(rows.map((r) => lag(r.ingestedAt, r.externalId))),
        processed: sorted(rows.map((r) => lag(r.processedAt, r.externalId))),
      };
    };
    const latencyRow = (how: string, l: Awaited<ReturnType<typeof lagsOf>>, target: number) => {
      const p95 = percentile(l.processed, 95);
      return {
        name: `meta: Facebook detection by ${how}`,
        figures: {
          comments: `${l.found} of ${LATENCY_COMMENTS}`,
          'stored p50 ms': Math.round(percentile(l.stored, 50)),
          'stored p95 ms': Math.round(percentile(l.stored, 95)),
          'in inbox (processed) p50 ms': Math.round(percentile(l.processed, 50)),
          'in inbox (processed) p95 ms': Math.round(p95),
        },
        figure: `p50 ${Math.round(percentile(l.processed, 50))} ms, p95 ${Math.round(p95)} ms to the inbox`,
        target: `p95 ≤ ${target} ms`,
        pass: l.complete && p95 <= target,
      } satisfies BenchRow;
    };

    // By webhook, polling off.
    sandbox.meta.webhooks.configure({ callbackUrl: `${appUrl}/webhooks/meta`, concurrency: 4 });
    const byWebhook = await lagsOf(await addComments());
    await sandbox.meta.webhooks.idle();
    results.push(latencyRow('webhook', byWebhook, 1_000));

    // By poll, webhooks off.
    sandbox.meta.webhooks.configure({ callbackUrl: null });
    for (const a of accounts) await runtime.deps.pollScheduler.startPolling(a.id, POLL_SECONDS);
    await sleep(POLL_SECONDS * 1_000 + 500); // the first poll sets each account's starting point
    const byPoll = await lagsOf(await addComments());
    for (const a of accounts) await runtime.deps.pollScheduler.stopPolling(a.id);
    results.push({
      ...latencyRow(`poll every ${POLL_SECONDS} s`, byPoll, (POLL_SECONDS + 2) * 1_000),
      figures: { ...latencyRow('poll', byPoll, 0).figures, 'poll interval s': POLL_SECONDS },
    });

    // Intake: the product's route against a bare Fastify route, same bodies.
    await runtime.close();
    runtime = undefined;
    const page = pages[0]!;
    const bodies = Array.from({ length: INTAKE_DELIVERIES }, (_, i) => {
      const id = `${posts[0]!.id.split('_').pop()}_${9_000_000 + i}`;
      return JSON.stringify({
        object: 'page',
        entry: [
          {
            id: page.id,
            time: Math.floor(Date.now() / 1_000),
            changes: [
              {
                field: 'feed',
                value: {
                  from: { id: `7${String(i).padStart(14, '0')}`, name: `Parent ${i}` },
                  post: { id: posts[0]!.id, status_type: 'mobile_status_update', is_published: true },
                  message: `Intake comment ${i}`,
                  post_id: posts[0]!.id,
                  comment_id: id,
                  created_time: Math.floor(Date.now() / 1_000),
                  item: 'comment',
                  parent_id: posts[0]!.id,
                  verb: 'add',
                },
              },
            ],
          },
        ],
      });
    });
    // Warm both up, then measure the bare route, the product, the bare route again.
    await fire(`${bareUrl}/webhooks/meta`, bodies.slice(0, 100), secret, INTAKE_CONCURRENCY);
    const bare1 = await fire(`${bareUrl}/webhooks/meta`, bodies, secret, INTAKE_CONCURRENCY);
    const product = await fire(`${appUrl}/webhooks/meta`, bodies, secret, INTAKE_CONCURRENCY);
    const bare2 = await fire(`${bareUrl}/webhooks/meta`, bodies, secret, INTAKE_CONCURRENCY);
    const bareRate = (bare1.perSecond + bare2.perSecond) / 2;
    const [stored] = await bench.db
      .select({ n: sql<number>`count(*)::int` })
      .from(comments)
      .where(sql`text like 'Intake comment %'`);
    results.push({
      name: 'meta: webhook intake',
      figures: {
        deliveries: INTAKE_DELIVERIES,
        'in flight': INTAKE_CONCURRENCY,
        'POST /webhooks/meta deliveries/s': Math.round(product.perSecond),
        'bare Fastify route deliveries/s': Math.round(bareRate),
        ratio: Number((product.perSecond / bareRate).toFixed(3)),
        'not 200': product.failed,
        'comments stored': stored?.n ?? 0,
      },
      figure: `${Math.round(product.perSecond)} deliveries/s vs ${Math.round(bareRate)}/s bare Fastify (ratio ${(product.perSecond / bareRate).toFixed(3)})`,
      baseline: 'bare Fastify route, same bodies',
    });
  } finally {
    await runtime?.close();
    await app.close();
    await bare.close();
    await clearRedisPrefix(config.redisPrefix);
    await sandbox.close();
    await bench.drop();
  }
  return results;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const r of await benchMetaWebhook())
    console.log(
      r.name,
      JSON.stringify(r.figures),
      r.target ?? '',
      r.pass === undefined ? '' : r.pass ? 'PASS' : 'MISS',
    );
  process.exit(0);
}
