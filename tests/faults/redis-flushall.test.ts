import { eq } from 'drizzle-orm';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../config/load-config.js';
import { comments } from '../../db/schema/index.js';
import { type Sandbox, startSandbox } from '../../sandbox/server.js';
import { verifyAudit } from '../../services/audit/verify-audit.js';
import { startWorkerRuntime, type WorkerRuntime } from '../../workers/worker-runtime.js';
import { createSchool } from '../helpers/factories.js';
import { connectSandboxAccount } from '../helpers/sandbox-account.js';
import { testConfig } from '../helpers/test-config.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';
import { auditCounts, until } from './fault-kit.js';
import { type PrivateRedis, startPrivateRedis } from './private-redis.js';

const TOTAL = 1_000;

let t: TestDatabase;
let sandbox: Sandbox;
let redis: PrivateRedis;
let config: Config;
let runtime: WorkerRuntime | undefined;

beforeAll(async () => {
  t = await createTestDatabase();
  sandbox = await startSandbox({
    port: 0,
    host: '127.0.0.1',
    rateLimits: { 'GET /2/users/:id/mentions': { limit: 100_000, windowSeconds: 900 } },
  });
  redis = await startPrivateRedis();
  config = testConfig({ REDIS_URL: redis.url, X_API_BASE_URL: sandbox.url, POLL_INTERVAL_SECONDS: '5' });
});
afterAll(async () => {
  await runtime?.close();
  await redis.stop();
  await sandbox.close();
  await t.drop();
});

describe('Redis FLUSHALL while 1,000 comments are being ingested', () => {
  it('stores every comment once, processes each once and sets every deadline', async () => {
    const school = await createSchool(t.db);
    const { account, user } = await connectSandboxAccount(t.db, sandbox, config, {
      schoolId: school.id,
      username: 'flushed_primary',
    });
    const posted = new Set<string>();
    const mention = (i: number) =>
      posted.add(
        sandbox.state.injectComment({
          from: `parent_${i % 97}`,
          to: user.username,
          text: `Question ${i} about the trip`,
        }).id,
      );
    // Half before the first poll, half arriving while Redis is being lost (X's mentions timeline
    // reaches only the newest 800, so a backlog of 1,000 at once would be X's loss, not ours).
    for (let i = 0; i < TOTAL / 2; i++) mention(i);
    // A slow platform, so the poll is still paging when Redis loses everything.
    sandbox.faults.set({ latencyMs: 150 });
    runtime = await startWorkerRuntime({
      config,
      db: t.db,
      logger: pino({ level: 'silent' }),
      relayAfterMs: 1_000,
      watchdogEveryMs: 500,
    });

    const stored = () => t.db.$count(comments, eq(comments.accountId, account.id));
    await until('the first pages to be stored', async () => (await stored()) >= 200, 60_000);
    expect(await stored()).toBeLessThan(TOTAL / 2);
    await redis.flushAll();
    sandbox.faults.reset();
    for (let i = TOTAL / 2; i < TOTAL; i += 100) {
      for (let j = i; j < i + 100; j++) mention(j);
      await new Promise((r) => setTimeout(r, 300));
    }

    await until(
      'every comment stored and processed',
      async () => {
        const rows = await t.db
          .select({ processedAt: comments.processedAt })
          .from(comments)
          .where(eq(comments.accountId, account.id));
        return rows.length === TOTAL && rows.every((r) => r.processedAt !== null);
      },
      100_000,
    );

    const rows = await t.db.select().from(comments).where(eq(comments.accountId, account.id));
    expect(rows).toHaveLength(TOTAL);
    expect(new Set(rows.map((r) => r.externalId))).toEqual(posted);
    expect(rows.filter((r) => r.deadlineAt === null)).toEqual([]);
    // Processed exactly once: one deadline_set entry per comment, whatever Redis redelivered.
    const deadlineSet = await auditCounts(t.db, 'comment.deadline_set');
    expect(rows.filter((r) => deadlineSet.get(r.id) !== 1).map((r) => [r.id, deadlineSet.get(r.id)])).toEqual(
      [],
    );
    // The schedulers came back: the account is polled again.
    const schedulers = await runtime.deps.queues.poll.getJobSchedulers();
    expect(schedulers.map((s) => s.key)).toContain(`poll-${account.id}`);
    expect((await verifyAudit(t.db)).intact).toBe(true);
  });
});
