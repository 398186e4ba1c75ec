import { eq } from 'drizzle-orm';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../config/load-config.js';
import { closeDatabase, createDatabase, type Database } from '../../db/client.js';
import { comments } from '../../db/schema/index.js';
import { type Sandbox, startSandbox } from '../../sandbox/server.js';
import { sealCredentials } from '../../services/accounts/account-credentials.js';
import { startWorkerRuntime, type WorkerRuntime } from '../../workers/worker-runtime.js';
import { buildTestApp, type TestApp } from '../helpers/build-test-app.js';
import { createAccount, createSchool } from '../helpers/factories.js';
import { metaTestEnv, testConfig } from '../helpers/test-config.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';
import { clearRedisPrefix } from '../helpers/test-redis.js';
import { auditCounts, terminateOwnConnections, until } from './fault-kit.js';

// Postgres connections cut while Facebook comments arrive, by webhook and by poll: every comment
// is stored once and processed once (one deadline each), nothing lost, nothing doubled.

let t: TestDatabase;
let sandbox: Sandbox;
let config: Config;
let api: TestApp;
let appUrl: string;
/** The workers' own pool, as a worker process has. */
let workerDb: Database;
let runtime: WorkerRuntime;
let n = 0;

beforeAll(async () => {
  t = await createTestDatabase();
  sandbox = await startSandbox({ port: 0, host: '127.0.0.1' });
  sandbox.meta.usage.set({ app: 1_000_000, user: 1_000_000, page: 1_000_000 });
  config = testConfig({
    ...metaTestEnv(sandbox.url),
    X_API_BASE_URL: sandbox.url,
    POLL_INTERVAL_SECONDS: '5',
  });
  api = await buildTestApp(t.db, { config });
  appUrl = await api.app.listen({ host: '127.0.0.1', port: 0 });
  workerDb = createDatabase({ url: t.url, max: 6, applicationName: 'hm-fault-worker' });
  runtime = await startWorkerRuntime({
    config,
    db: workerDb,
    logger: pino({ level: 'silent' }),
    relayAfterMs: 1_000,
  });
});
afterAll(async () => {
  await runtime?.close();
  await closeDatabase(workerDb);
  await clearRedisPrefix(config.redisPrefix);
  await api.close();
  await sandbox.close();
  await t.drop();
});

async function cutConnections(times: number, gapMs: number): Promise<number> {
  let cut = 0;
  for (let i = 0; i < times; i++) {
    cut += await terminateOwnConnections(t.db);
    await new Promise((r) => setTimeout(r, gapMs));
  }
  return cut;
}

async function facebookPage() {
  n += 1;
  const school = await createSchool(t.db);
  const m = sandbox.meta.state;
  const page = m.createPage({ name: `Terminated School ${n}`, admins: [`Head ${n}`] });
  const account = await createAccount(t.db, {
    schoolId: school.id,
    platform: 'facebook',
    handle: page.name,
    platformUserId: page.id,
    credentialsEncrypted: sealCredentials(config.encryptionKey, {
      accessToken: m.issuePageToken(page.id).token,
    }),
  });
  const posts = [0, 1, 2].map((i) => m.createPost({ page: page.id, message: `Newsletter ${i}` }));
  return { page, account, posts };
}

/** Every posted comment stored once for the account and processed, with one deadline each. */
async function expectEachOnce(accountId: string, posted: Set<string>) {
  const rows = () =>
    t.db
      .select({ externalId: comments.externalId, processedAt: comments.processedAt })
      .from(comments)
      .where(eq(comments.accountId, accountId));
  await until(
    'every comment stored and processed',
    async () => {
      const r = await rows();
      return r.length === posted.size && r.every((x) => x.processedAt !== null);
    },
    90_000,
    async () => {
      const r = await rows();
      return {
        posted: posted.size,
        stored: r.length,
        processed: r.filter((x) => x.processedAt !== null).length,
        deliveries: sandbox.meta.webhooks.deliveries.length,
      };
    },
  );
  const all = await t.db.select().from(comments).where(eq(comments.accountId, accountId));
  expect(new Set(all.map((r) => r.externalId))).toEqual(posted);
  expect(all).toHaveLength(posted.size);
  const deadlineSet = await auditCounts(t.db, 'comment.deadline_set');
  expect(all.filter((r) => deadlineSet.get(r.id) !== 1)).toEqual([]);
  expect(workerDb.$client.waitingCount).toBe(0);
}

describe('Postgres connections terminated while Facebook comments arrive', () => {
  it('mid-webhook delivery: the failed deliveries are retried or polled, each comment stored once and processed once', async () => {
    const { account, posts } = await facebookPage();
    const m = sandbox.meta.state;
    // One delivery at a time, each retried as Meta does when the answer is not 2xx.
    sandbox.meta.webhooks.configure({
      callbackUrl: `${appUrl}/webhooks/meta`,
      verifyToken: config.meta!.webhookVerifyToken,
      concurrency: 1,
      retries: 3,
      retryDelayMs: 300,
    });
    const posted = new Set<string>();
    for (let i = 0; i < 120; i++)
      posted.add(
        m.addComment({ on: posts[i % posts.length]!.id, from: `Carer ${i % 17}`, message: `Webhook ${i}` })
          .id,
      );
    const stored = () => t.db.$count(comments, eq(comments.accountId, account.id));
    await until('the deliveries to be part-way', async () => (await stored()) >= 30, 60_000);
    expect(await stored()).toBeLessThan(120);
    expect(await cutConnections(60, 25)).toBeGreaterThan(0);

    // Some deliveries were answered 5xx during the outage; the poll is the backstop for any whose
    // retries ran out, as in production.
    await sandbox.meta.webhooks.idle();
    await runtime.deps.pollScheduler.startPolling(account.id, 5);
    await expectEachOnce(account.id, posted);
    await runtime.deps.pollScheduler.stopPolling(account.id);
    sandbox.meta.webhooks.configure({ callbackUrl: null });
  });

  it('mid-poll of a Facebook Page: every comment stored once and processed once', async () => {
    const { account, posts } = await facebookPage();
    const m = sandbox.meta.state;
    const posted = new Set<string>();
    for (let i = 0; i < 300; i++)
      posted.add(
        m.addComment({ on: posts[i % posts.length]!.id, from: `Parent ${i % 23}`, message: `Poll ${i}` }).id,
      );
    sandbox.faults.set({ latencyMs: 150 });
    await runtime.deps.pollScheduler.startPolling(account.id, 5);
    const stored = () => t.db.$count(comments, eq(comments.accountId, account.id));
    await until('the poll to be part-way', async () => (await stored()) >= 50, 60_000);
    expect(await stored()).toBeLessThan(300);
    expect(await cutConnections(60, 25)).toBeGreaterThan(0);
    sandbox.faults.reset();
    await expectEachOnce(account.id, posted);
    await runtime.deps.pollScheduler.stopPolling(account.id);
  });
});
