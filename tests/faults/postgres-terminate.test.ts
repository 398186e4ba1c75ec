import { eq } from 'drizzle-orm';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../config/load-config.js';
import { closeDatabase, createDatabase, type Database } from '../../db/client.js';
import { comments, moderationActions } from '../../db/schema/index.js';
import { type Sandbox, startSandbox } from '../../sandbox/server.js';
import { verifyAudit } from '../../services/audit/verify-audit.js';
import { startWorkerRuntime, type WorkerRuntime } from '../../workers/worker-runtime.js';
import { buildTestApp, type TestApp } from '../helpers/build-test-app.js';
import { auditActions } from '../helpers/expect-audit-entry.js';
import { createSchool } from '../helpers/factories.js';
import { connectSandboxAccount } from '../helpers/sandbox-account.js';
import { signIn } from '../helpers/sign-in.js';
import { testConfig } from '../helpers/test-config.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';
import { clearRedisPrefix } from '../helpers/test-redis.js';
import { moderationScene } from '../integration/moderation/moderation-fixture.js';
import { auditCounts, terminateOwnConnections, until } from './fault-kit.js';

let t: TestDatabase;
let sandbox: Sandbox;
let config: Config;
let api: TestApp;
/** The workers' own pool, as a worker process has: the one whose connections are cut. */
let workerDb: Database;
let runtime: WorkerRuntime;

beforeAll(async () => {
  t = await createTestDatabase();
  sandbox = await startSandbox({ port: 0, host: '127.0.0.1' });
  config = testConfig({ X_API_BASE_URL: sandbox.url, POLL_INTERVAL_SECONDS: '5' });
  api = await buildTestApp(t.db, { config });
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

/**
 * Cuts every connection of the test database (its own only) `times` times, `gapMs` apart. The
 * tests use 60 × 25 ms: an outage of 1.5 s, long enough that the failed poll's own clean-up (its
 * failure record, the release of its lease on the account) meets it too, as it did when a lease
 * left behind kept the account unpolled for five minutes.
 */
async function cutConnections(times: number, gapMs: number): Promise<number> {
  let cut = 0;
  for (let i = 0; i < times; i++) {
    cut += await terminateOwnConnections(t.db);
    await new Promise((r) => setTimeout(r, gapMs));
  }
  return cut;
}

describe('Postgres connections terminated', () => {
  it('mid-poll: every comment is stored once and processed once', async () => {
    const school = await createSchool(t.db);
    const { account, user } = await connectSandboxAccount(t.db, sandbox, config, {
      schoolId: school.id,
      username: 'terminated_primary',
    });
    const posted = new Set<string>();
    for (let i = 0; i < 300; i++)
      posted.add(
        sandbox.state.injectComment({ from: `carer_${i % 31}`, to: user.username, text: `Query ${i}` }).id,
      );
    sandbox.faults.set({ latencyMs: 150 });
    await runtime.deps.pollScheduler.startPolling(account.id, 5);

    const stored = () => t.db.$count(comments, eq(comments.accountId, account.id));
    await until('the poll to be part-way', async () => (await stored()) >= 100, 60_000);
    expect(await stored()).toBeLessThan(300);
    expect(await cutConnections(60, 25)).toBeGreaterThan(0);
    sandbox.faults.reset();

    await until(
      'every comment stored and processed',
      async () => {
        const rows = await t.db
          .select({ processedAt: comments.processedAt })
          .from(comments)
          .where(eq(comments.accountId, account.id));
        return rows.length === posted.size && rows.every((r) => r.processedAt !== null);
      },
      90_000,
      async () => {
        const rows = await t.db
          .select({ processedAt: comments.processedAt })
          .from(comments)
          .where(eq(comments.accountId, account.id));
        const process = runtime.deps.queues.process;
        const active = await process.getJobs(['active']);
        return {
          posted: posted.size,
          stored: rows.length,
          processed: rows.filter((r) => r.processedAt !== null).length,
          processJobs: await process.getJobCounts(),
          pollJobs: await runtime.deps.queues.poll.getJobCounts(),
          activeProcessJobs: active.map((j) => ({
            id: j.id,
            age: Date.now() - (j.processedOn ?? 0),
            ids: (j.data as { commentIds?: string[] }).commentIds?.length,
          })),
          pool: {
            total: workerDb.$client.totalCount,
            idle: workerDb.$client.idleCount,
            waiting: workerDb.$client.waitingCount,
          },
        };
      },
    );
    const rows = await t.db.select().from(comments).where(eq(comments.accountId, account.id));
    expect(new Set(rows.map((r) => r.externalId))).toEqual(posted);
    expect(rows.filter((r) => r.deadlineAt === null)).toEqual([]);
    const deadlineSet = await auditCounts(t.db, 'comment.deadline_set');
    expect(rows.filter((r) => deadlineSet.get(r.id) !== 1)).toEqual([]);
    // No pooled connection was lost to a transaction whose `begin` failed.
    expect(workerDb.$client.waitingCount).toBe(0);
    await runtime.deps.pollScheduler.stopPolling(account.id);
  });

  it('mid-action: the hide reaches the platform once and the action succeeds once', async () => {
    const s = await moderationScene(t.db, sandbox, config);
    // A slow platform: the worker is between "executing" and the platform's answer when the
    // connections go.
    sandbox.faults.set({ latencyMs: 700 });
    const { headers } = await signIn(t.db, s.adminA.id);
    const res = await api.app.inject({
      method: 'POST',
      url: `/api/comments/${s.comment.id}/actions`,
      headers,
      payload: { kind: 'hide', reasonCategory: 'offensive', reasonText: 'insults staff' },
    });
    expect(res.statusCode).toBe(201);
    const actionId: string = res.json().action.id;
    const status = async () =>
      (await t.db.select().from(moderationActions).where(eq(moderationActions.id, actionId)))[0]?.status;
    await until('the action to be executing', async () => (await status()) === 'executing', 30_000);
    expect(await cutConnections(60, 25)).toBeGreaterThan(0);
    sandbox.faults.reset();

    await until('the action to succeed', async () => (await status()) === 'succeeded', 90_000);
    expect(sandbox.state.isHidden(s.reply.id)).toBe(true);
    expect(sandbox.state.requestsTo('PUT /2/tweets/:id/hidden')).toHaveLength(1);
    const trail = await auditActions(t.db, actionId);
    expect(trail.filter((a) => a === 'action.succeeded')).toHaveLength(1);
    expect(trail.filter((a) => a === 'action.failed')).toHaveLength(0);
    const [comment] = await t.db.select().from(comments).where(eq(comments.id, s.comment.id));
    expect(comment!.status).toBe('closed');
    expect((await verifyAudit(t.db)).intact).toBe(true);
  });
});
