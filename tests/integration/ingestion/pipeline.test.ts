import { eq, isNull, sql } from 'drizzle-orm';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../../config/load-config.js';
import { comments, escalations, notifications } from '../../../db/schema/index.js';
import { type Sandbox, startSandbox } from '../../../sandbox/server.js';
import { verifyAudit } from '../../../services/audit/verify-audit.js';
import { createWorkerRedis } from '../../../services/core/redis-connections.js';
import { systemContext } from '../../../services/core/service-context.js';
import { enqueueProcessBatches } from '../../../services/ingestion/enqueue-process-batches.js';
import { pollAccount } from '../../../services/ingestion/poll-account.js';
import { createAdapterFactory } from '../../../services/platforms/create-adapter-factory.js';
import { createQueues } from '../../../workers/queues.js';
import { startWorkerRuntime, type WorkerRuntime } from '../../../workers/worker-runtime.js';
import { createSchool, createUser } from '../../helpers/factories.js';
import { connectSandboxAccount } from '../../helpers/sandbox-account.js';
import { testConfig } from '../../helpers/test-config.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';
import { clearRedisPrefix } from '../../helpers/test-redis.js';

let t: TestDatabase;
let sandbox: Sandbox;
let config: Config;
let runtime: WorkerRuntime | undefined;

beforeAll(async () => {
  t = await createTestDatabase();
  sandbox = await startSandbox({ port: 0, host: '127.0.0.1' });
  config = testConfig({ X_API_BASE_URL: sandbox.url, POLL_INTERVAL_SECONDS: '5' });
});
afterAll(async () => {
  await runtime?.close();
  await clearRedisPrefix(config.redisPrefix);
  await sandbox.close();
  await t.drop();
});

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('the comment pipeline through real workers', () => {
  it('processes every comment exactly once even when Redis loses the jobs between ingest and processing', async () => {
    const school = await createSchool(t.db);
    const [admin, dsl] = await Promise.all([
      createUser(t.db, { trustId: school.trustId }),
      createUser(t.db, {
        trustId: school.trustId,
        roles: [{ schoolId: school.id, role: 'safeguarding_lead' }],
      }),
    ]);
    const { account, user } = await connectSandboxAccount(t.db, sandbox, config, {
      schoolId: school.id,
      username: 'hillside_primary',
      adminIds: [admin.id],
    });
    for (let i = 0; i < 40; i++) {
      sandbox.state.injectComment({
        from: `parent${i}`,
        to: user.username,
        text: `Thanks for the lovely assembly ${i}`,
      });
    }
    for (let i = 0; i < 5; i++) {
      sandbox.state.injectComment({
        from: `pupil${i}`,
        to: user.username,
        text: `i want to kill myself, nobody at home listens ${i}`,
      });
    }
    sandbox.state.injectComment({
      from: 'angry_dad',
      to: user.username,
      text: 'you are all f.u.c.k.i.n.g useless',
    });

    // Ingest with the process jobs enqueued, then lose all of Redis before any worker runs.
    const producer = createWorkerRedis(config.redisUrl);
    const queues = createQueues(producer, config.redisPrefix);
    const polled = await pollAccount(
      systemContext(t.db, 'test'),
      { accountId: account.id },
      {
        encryptionKey: config.encryptionKey,
        adapterFor: createAdapterFactory(config),
        onInserted: (ids) => enqueueProcessBatches({ queues }, ids),
      },
    );
    expect(polled).toMatchObject({ status: 'polled', inserted: 46 });
    // One process job for the page, carrying all 46 comments.
    const [job] = await queues.process.getJobs(['waiting']);
    expect(await queues.process.count()).toBe(1);
    expect(job?.data.commentIds).toHaveLength(46);
    await queues.close();
    producer.disconnect();
    await clearRedisPrefix(config.redisPrefix);

    runtime = await startWorkerRuntime({
      config,
      db: t.db,
      logger: pino({ level: 'silent' }),
      relayAfterMs: 0,
    });
    await waitFor('every comment processed', async () => {
      const left = await t.db.select({ id: comments.id }).from(comments).where(isNull(comments.processedAt));
      return left.length === 0;
    });

    const stored = await t.db.select().from(comments).where(eq(comments.accountId, account.id));
    expect(stored).toHaveLength(46);
    const safeguarding = stored.filter((c) => c.categories.includes('safeguarding'));
    expect(safeguarding).toHaveLength(5);
    const offensive = stored.filter((c) => c.categories.includes('offensive'));
    expect(offensive).toHaveLength(1);
    // The offensive label's span points at the evasive spelling in the original text.
    const label = offensive[0]!.labels.find((l) => l.category === 'offensive')!;
    const [start, end] = label.spans[0]!;
    expect(offensive[0]!.text.slice(start, end)).toMatch(/f\.u\.c\.k/);

    // Exactly once: one escalation per safeguarding comment, whatever the relay re-delivered.
    const raised = await t.db.select().from(escalations).where(eq(escalations.kind, 'safeguarding'));
    expect(raised).toHaveLength(5);
    const dslNotes = await t.db.select().from(notifications).where(eq(notifications.userId, dsl.id));
    expect(dslNotes).toHaveLength(5);
    expect(dslNotes.every((n) => n.urgency === 'urgent')).toBe(true);
    const adminNotes = await t.db.select().from(notifications).where(eq(notifications.userId, admin.id));
    expect(adminNotes.map((n) => n.event)).toEqual(['comment.flagged']);
    expect((await verifyAudit(t.db)).intact).toBe(true);
  });

  it('polls an active account on its schedule and stops when it is suspended', async () => {
    const school = await createSchool(t.db);
    const { account, user } = await connectSandboxAccount(t.db, sandbox, config, {
      schoolId: school.id,
      username: 'riverside_academy',
    });
    const pollScheduler = runtime!.deps.pollScheduler;
    await pollScheduler.startPolling(account.id, 1);
    sandbox.state.injectComment({
      from: 'grandparent',
      to: user.username,
      text: 'What time is the nativity?',
    });
    await waitFor('the scheduled poll to store the mention', async () => {
      const rows = await t.db.select().from(comments).where(eq(comments.accountId, account.id));
      return rows.length === 1;
    });
    await t.db.execute(sql`update social_accounts set status = 'suspended' where id = ${account.id}`);
    await pollScheduler.stopPolling(account.id);
    const schedulers = await runtime!.deps.queues.poll.getJobSchedulers();
    expect(schedulers.map((s) => s.key)).not.toContain(`poll-${account.id}`);
    sandbox.state.injectComment({ from: 'grandparent', to: user.username, text: 'Hello again' });
    await new Promise((r) => setTimeout(r, 2_500));
    expect(await t.db.select().from(comments).where(eq(comments.accountId, account.id))).toHaveLength(1);
  });
});
