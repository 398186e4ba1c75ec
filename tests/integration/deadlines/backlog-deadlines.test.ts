import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../../config/load-config.js';
import { comments, socialAccounts } from '../../../db/schema/index.js';
import { type Sandbox, startSandbox } from '../../../sandbox/server.js';
import { systemContext } from '../../../services/core/service-context.js';
import { createDeadlineStep } from '../../../services/deadlines/deadline-step.js';
import { sweepDeadlines } from '../../../services/deadlines/sweep-deadlines.js';
import { pollAccount } from '../../../services/ingestion/poll-account.js';
import { processComment } from '../../../services/ingestion/process-comment.js';
import { createAdapterFactory } from '../../../services/platforms/create-adapter-factory.js';
import { buildTestApp, type TestApp } from '../../helpers/build-test-app.js';
import { expectAuditEntry } from '../../helpers/expect-audit-entry.js';
import { createSchool, createUser } from '../../helpers/factories.js';
import { connectSandboxAccount } from '../../helpers/sandbox-account.js';
import { signIn } from '../../helpers/sign-in.js';
import { testConfig } from '../../helpers/test-config.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';
import { clearRedisPrefix } from '../../helpers/test-redis.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
// Every day a working day and no holidays: the window is a plain 24 hours of elapsed time.
const EVERY_DAY = { workingDays: [1, 2, 3, 4, 5, 6, 7], region: 'none' };

let t: TestDatabase;
let sandbox: Sandbox;
let config: Config;
let api: TestApp;

beforeAll(async () => {
  t = await createTestDatabase();
  sandbox = await startSandbox({ port: 0, host: '127.0.0.1' });
  config = testConfig({ X_API_BASE_URL: sandbox.url });
  api = await buildTestApp(t.db, { config });
});
afterAll(async () => {
  await api?.close();
  await clearRedisPrefix(config.redisPrefix);
  await sandbox?.close();
  await t?.drop();
});

const reload = async (id: string) => (await t.db.select().from(comments).where(eq(comments.id, id)))[0]!;

describe('deadlines of the backlog imported when an account is first monitored', () => {
  it('count from activation for comments posted before it, and from posting for comments after', async () => {
    const school = await createSchool(t.db, { calendar: EVERY_DAY });
    const roles = [{ schoolId: school.id, role: 'comms' as const }];
    const [adminA, adminB, leader] = await Promise.all([
      createUser(t.db, { trustId: school.trustId, roles }),
      createUser(t.db, { trustId: school.trustId, roles }),
      createUser(t.db, {
        trustId: school.trustId,
        roles: [{ schoolId: school.id, role: 'senior_leader' }],
      }),
      // P8: no account is activated at a school without a safeguarding lead.
      createUser(t.db, {
        trustId: school.trustId,
        roles: [{ schoolId: school.id, role: 'safeguarding_lead' }],
      }),
    ]);
    const as = async (userId: string) => (await signIn(t.db, userId)).headers;
    const { account, user } = await connectSandboxAccount(t.db, sandbox, config, {
      schoolId: school.id,
      username: 'brookside_backlog',
      adminIds: [adminA.id, adminB.id],
      status: 'connected',
    });

    // Three days of mentions waiting on X before anyone monitored the account.
    const backlog = sandbox.state.injectComment({
      from: 'early_parent',
      to: user.username,
      text: 'Is the school fair still on next week?',
      createdAt: new Date(Date.now() - 3 * DAY),
    });

    const policy = await api.app.inject({
      method: 'PUT',
      url: `/api/schools/${school.id}/policy`,
      headers: await as(leader.id),
      payload: { versionLabel: '2025-v1', documentUrl: 'https://brookside.example/policy.pdf' },
    });
    expect(policy.statusCode, policy.body).toBe(200);
    for (const admin of [adminA, adminB]) {
      const ack = await api.app.inject({
        method: 'POST',
        url: `/api/schools/${school.id}/policy/acknowledgements`,
        headers: await as(admin.id),
        payload: { versionLabel: '2025-v1' },
      });
      expect(ack.statusCode, ack.body).toBe(200);
    }
    const activated = await api.app.inject({
      method: 'POST',
      url: `/api/accounts/${account.id}/activate`,
      headers: await as(adminA.id),
      payload: { note: 'Go live' },
    });
    expect(activated.statusCode, activated.body).toBe(200);
    const [live] = await t.db.select().from(socialAccounts).where(eq(socialAccounts.id, account.id));
    const activatedAt = live!.activatedAt!;
    expect(activatedAt).toBeInstanceOf(Date);

    await new Promise((r) => setTimeout(r, 20));
    const fresh = sandbox.state.injectComment({
      from: 'later_parent',
      to: user.username,
      text: 'What time does the fair start?',
    });

    const ctx = systemContext(t.db, 'test');
    const polled = await pollAccount(
      ctx,
      { accountId: account.id },
      {
        encryptionKey: config.encryptionKey,
        adapterFor: createAdapterFactory(config),
        onInserted: async () => {},
      },
    );
    expect(polled).toMatchObject({ status: 'polled', inserted: 2 });
    const stored = await t.db.select().from(comments).where(eq(comments.accountId, account.id));
    const step = createDeadlineStep(null);
    for (const c of stored) {
      expect(await processComment(ctx, { commentId: c.id }, [step])).toMatchObject({ status: 'processed' });
    }
    const byExternal = new Map(stored.map((c) => [c.externalId, c.id]));

    const old = await reload(byExternal.get(backlog.id)!);
    expect(old.postedAt.getTime()).toBeLessThan(activatedAt.getTime() - 2 * DAY);
    expect(old.deadlineClockStartedAt).toEqual(activatedAt);
    expect(old.deadlineAt!.getTime()).toBe(activatedAt.getTime() + DAY);
    await expectAuditEntry(t.db, {
      action: 'comment.deadline_set',
      subjectId: old.id,
      details: {
        receivedAt: old.postedAt.toISOString(),
        clockStartedAt: activatedAt.toISOString(),
        clockStartReason: 'monitoring_started',
      },
    });

    const recent = await reload(byExternal.get(fresh.id)!);
    expect(recent.postedAt.getTime()).toBeGreaterThan(activatedAt.getTime());
    expect(recent.deadlineClockStartedAt).toEqual(recent.postedAt);
    expect(recent.deadlineAt!.getTime()).toBe(recent.postedAt.getTime() + DAY);
    await expectAuditEntry(t.db, {
      action: 'comment.deadline_set',
      subjectId: recent.id,
      details: { clockStartedAt: recent.postedAt.toISOString(), clockStartReason: 'posted' },
    });

    // Nothing is breached by the import: the sweep finds nothing due, and no breach is notified.
    expect(await sweepDeadlines(ctx)).toMatchObject({ breached: 0 });
    expect((await reload(old.id)).breachedAt).toBeNull();

    // A later calendar change re-times the backlog comment from activation too, not from posting.
    const changed = await api.app.inject({
      method: 'PUT',
      url: `/api/schools/${school.id}/calendar`,
      headers: await as(leader.id),
      payload: { ...EVERY_DAY, responseHours: 48 },
    });
    expect(changed.statusCode, changed.body).toBe(200);
    expect((await reload(old.id)).deadlineAt!.getTime()).toBe(activatedAt.getTime() + 2 * DAY);
    expect((await reload(recent.id)).deadlineAt!.getTime()).toBe(recent.postedAt.getTime() + 2 * DAY);
  });
});
