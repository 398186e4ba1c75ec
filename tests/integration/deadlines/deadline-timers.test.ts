import { and, eq } from 'drizzle-orm';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../../config/load-config.js';
import { comments, notifications, responses } from '../../../db/schema/index.js';
import { sealCredentials } from '../../../services/accounts/account-credentials.js';
import { systemContext } from '../../../services/core/service-context.js';
import { createDeadlineStep } from '../../../services/deadlines/deadline-step.js';
import {
  breachJobId,
  queueDeadlineTimers,
  warningJobId,
} from '../../../services/deadlines/deadline-timers.js';
import { processComment } from '../../../services/ingestion/process-comment.js';
import type { PlatformAdapter } from '../../../services/platforms/adapter.js';
import { startWorkerRuntime, type WorkerRuntime } from '../../../workers/worker-runtime.js';
import { buildTestApp, type TestApp } from '../../helpers/build-test-app.js';
import { auditActions, expectAuditEntry } from '../../helpers/expect-audit-entry.js';
import {
  createAccount,
  createComment,
  createSchool,
  createTrust,
  createUser,
} from '../../helpers/factories.js';
import { signIn } from '../../helpers/sign-in.js';
import { testConfig } from '../../helpers/test-config.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';
import { clearRedisPrefix } from '../../helpers/test-redis.js';

const EVERY_DAY = { workingDays: [1, 2, 3, 4, 5, 6, 7], region: 'none' };

let t: TestDatabase;
let config: Config;
let runtime: WorkerRuntime;
let api: TestApp;
const replies: { inReplyTo: string; text: string }[] = [];

const fakeAdapter = {
  platform: 'x',
  async reply(inReplyTo: string, text: string) {
    replies.push({ inReplyTo, text });
    return { externalId: `r${replies.length}`, text, url: `https://x.test/r${replies.length}` };
  },
} as unknown as PlatformAdapter;

async function start() {
  return startWorkerRuntime({
    config,
    db: t.db,
    logger: pino({ level: 'silent' }),
    adapterFor: () => fakeAdapter,
    // The process queue is driven by the tests, with the deadline step alone.
    queues: ['deadlines', 'maintenance', 'actions'],
  });
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 15_000) {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function fixture(calendar: Record<string, unknown>) {
  const trust = await createTrust(t.db);
  const school = await createSchool(t.db, { trustId: trust.id, calendar: { ...EVERY_DAY, ...calendar } });
  const comms = await createUser(t.db, {
    trustId: trust.id,
    roles: [{ schoolId: school.id, role: 'comms' }],
  });
  const senior = await createUser(t.db, {
    trustId: trust.id,
    roles: [{ schoolId: school.id, role: 'senior_leader' }],
  });
  const admin = await createUser(t.db, { trustId: trust.id });
  const assignee = await createUser(t.db, { trustId: trust.id });
  const account = await createAccount(t.db, {
    schoolId: school.id,
    adminIds: [admin.id],
    credentialsEncrypted: sealCredentials(config.encryptionKey, { accessToken: 'token' }),
  });
  return { trust, school, comms, senior, admin, assignee, account };
}

async function processWithDeadline(commentId: string) {
  const step = createDeadlineStep(queueDeadlineTimers(runtime.deps.queues));
  return processComment(systemContext(t.db, 'test'), { commentId }, [step]);
}

async function respondAs(userId: string, commentId: string, payload: Record<string, unknown>) {
  const { headers } = await signIn(t.db, userId);
  return api.app.inject({ method: 'POST', url: `/api/comments/${commentId}/responses`, headers, payload });
}

const reload = async (id: string) => (await t.db.select().from(comments).where(eq(comments.id, id)))[0]!;

beforeAll(async () => {
  t = await createTestDatabase();
  config = testConfig();
  runtime = await start();
  api = await buildTestApp(t.db, { config });
});
afterAll(async () => {
  await api?.close();
  await runtime?.close();
  await clearRedisPrefix(config.redisPrefix);
  await t?.drop();
});

describe('deadline timers', () => {
  it('warns the comms team and the assignee, then breaches to the admins and senior leaders', async () => {
    // 0.002 h = 7.2 s: warned at 5.4 s, breached at 7.2 s.
    const f = await fixture({ responseHours: 0.002 });
    const comment = await createComment(t.db, {
      schoolId: f.school.id,
      accountId: f.account.id,
      assigneeId: f.assignee.id,
    });
    expect(await processWithDeadline(comment.id)).toMatchObject({ status: 'processed' });
    const processed = await reload(comment.id);
    expect(processed.deadlineAt!.getTime() - comment.postedAt.getTime()).toBe(7_200);
    expect(processed.deadlineRuleVersion).toMatch(/^p2-v1:elapsed:0.002h/);
    await expectAuditEntry(t.db, { action: 'comment.deadline_set', subjectId: comment.id });
    // One timer at a time: the warning now; its job places the breach timer when it has warned.
    const warningJob = await runtime.deps.queues.deadlines.getJob(warningJobId(comment.id));
    expect(warningJob).toBeDefined();
    expect(warningJob!.timestamp + warningJob!.delay).toBeCloseTo(processed.warnAt!.getTime(), -3);
    expect(await runtime.deps.queues.deadlines.getJob(breachJobId(comment.id))).toBeUndefined();

    await waitFor('the warning', async () => !!(await reload(comment.id)).warnedAt);
    await waitFor('the breach timer', async () => {
      const job = await runtime.deps.queues.deadlines.getJob(breachJobId(comment.id));
      return !!job && Math.abs(job.timestamp + job.delay - processed.deadlineAt!.getTime()) < 1_000;
    });
    await waitFor('the breach', async () => !!(await reload(comment.id)).breachedAt);
    const after = await reload(comment.id);
    expect(after.warnedAt).not.toBeNull();
    expect(after.warnedAt!.getTime()).toBeLessThan(after.breachedAt!.getTime());
    await expectAuditEntry(t.db, {
      action: 'comment.deadline_warning',
      subjectId: comment.id,
      actorId: null,
    });
    await expectAuditEntry(t.db, { action: 'comment.deadline_breached', subjectId: comment.id });

    const sent = await t.db.select().from(notifications).where(eq(notifications.subjectId, comment.id));
    const to = (event: string) =>
      sent
        .filter((n) => n.event === event)
        .map((n) => n.userId)
        .sort();
    expect(to('comment.deadline_warning')).toEqual([f.comms.id, f.assignee.id].sort());
    expect(to('comment.deadline_breached')).toEqual([f.admin.id, f.senior.id].sort());
    expect(
      sent.filter((n) => n.event === 'comment.deadline_breached').every((n) => n.urgency === 'urgent'),
    ).toBe(true);
    // Never the comment's text in a notification.
    expect(sent.every((n) => !n.body.includes(comment.text) && !n.title.includes(comment.text))).toBe(true);
  });

  it('breaches a comment already overdue when it is processed, once, without a timer', async () => {
    // A backlog: posted two days ago against a 24 h deadline.
    const f = await fixture({ responseHours: 24 });
    const comment = await createComment(t.db, {
      schoolId: f.school.id,
      accountId: f.account.id,
      postedAt: new Date(Date.now() - 48 * 3_600_000),
    });
    expect(await processWithDeadline(comment.id)).toMatchObject({ status: 'processed' });
    const processed = await reload(comment.id);
    expect(processed.breachedAt).not.toBeNull();
    expect(processed.processedAt).not.toBeNull();
    expect(await runtime.deps.queues.deadlines.getJob(breachJobId(comment.id))).toBeUndefined();
    expect(await runtime.deps.queues.deadlines.getJob(warningJobId(comment.id))).toBeUndefined();
    await expectAuditEntry(t.db, { action: 'comment.deadline_breached', subjectId: comment.id });

    // A late timer and the sweep find it breached already.
    await runtime.deps.queues.add('deadline-breach', { commentId: comment.id });
    await runtime.deps.queues.add('deadline-sweep', {});
    await new Promise((r) => setTimeout(r, 1_000));
    const sent = await t.db.select().from(notifications).where(eq(notifications.subjectId, comment.id));
    expect(
      sent
        .filter((n) => n.event === 'comment.deadline_breached')
        .map((n) => n.userId)
        .sort(),
    ).toEqual([f.admin.id, f.senior.id].sort());
    expect(sent.every((n) => n.urgency === 'urgent' || n.event !== 'comment.deadline_breached')).toBe(true);
    expect(
      (await auditActions(t.db, comment.id)).filter((a) => a === 'comment.deadline_breached'),
    ).toHaveLength(1);
  });

  it('a comment warned when processed gets its breach timer at once, and keeps it when re-timed', async () => {
    const f = await fixture({ responseHours: 24 });
    // Past its warning (18 h) but not its deadline (24 h).
    const postedAt = new Date(Date.now() - 20 * 3_600_000);
    const comment = await createComment(t.db, { schoolId: f.school.id, accountId: f.account.id, postedAt });
    await processWithDeadline(comment.id);
    const processed = await reload(comment.id);
    expect(processed.warnedAt).not.toBeNull();
    expect(processed.breachedAt).toBeNull();
    const deadlines = runtime.deps.queues.deadlines;
    expect(await deadlines.getJob(warningJobId(comment.id))).toBeUndefined();
    const breach = await deadlines.getJob(breachJobId(comment.id));
    expect(breach!.timestamp + breach!.delay).toBeCloseTo(postedAt.getTime() + 24 * 3_600_000, -3);

    // A longer window moves the breach timer; the comment is not warned a second time.
    const { headers } = await signIn(t.db, f.senior.id);
    const res = await api.app.inject({
      method: 'PUT',
      url: `/api/schools/${f.school.id}/calendar`,
      headers,
      payload: { ...EVERY_DAY, responseHours: 48 },
    });
    expect(res.statusCode, res.body).toBe(200);
    const moved = await deadlines.getJob(breachJobId(comment.id));
    expect(moved!.timestamp + moved!.delay).toBeCloseTo(postedAt.getTime() + 48 * 3_600_000, -3);
    expect(await deadlines.getJob(warningJobId(comment.id))).toBeUndefined();
  });

  it('a timer that fires before its time (moved by a calendar change while it ran) waits for the new time', async () => {
    // 0.003 h = 10.8 s: warned at 8.1 s, time enough for the early run to be seen first.
    const f = await fixture({ responseHours: 0.003 });
    const comment = await createComment(t.db, { schoolId: f.school.id, accountId: f.account.id });
    await processWithDeadline(comment.id);
    const { warnAt } = await reload(comment.id);
    // The timer as a calendar change leaves it when the job was running and could not be replaced:
    // due at its old, earlier time.
    const timers = queueDeadlineTimers(runtime.deps.queues);
    await timers.remove([comment.id]);
    await timers.schedule([{ commentId: comment.id, warnAt: new Date(), deadlineAt: null }]);
    const job = () => runtime.deps.queues.deadlines.getJob(warningJobId(comment.id));
    await waitFor(
      'the early run to put itself back',
      async () => (await (await job())?.getState()) === 'delayed',
    );
    expect((await reload(comment.id)).warnedAt).toBeNull();
    await waitFor('the warning', async () => !!(await reload(comment.id)).warnedAt);
    expect((await reload(comment.id)).warnedAt!.getTime()).toBeGreaterThanOrEqual(warnAt!.getTime());
  });

  it('a warning timer that finds the comment answered places no breach timer', async () => {
    const f = await fixture({ responseHours: 24 });
    const comment = await createComment(t.db, { schoolId: f.school.id, accountId: f.account.id });
    await processWithDeadline(comment.id);
    const res = await respondAs(f.comms.id, comment.id, {
      kind: 'offline',
      channel: 'phone',
      contactPerson: 'The parent',
      note: 'Rang back with the answer.',
    });
    expect(res.statusCode).toBe(201);
    // A warning job that was already running when the comment was answered.
    await runtime.deps.queues.add('deadline-warning', { commentId: comment.id });
    await waitFor(
      'the late warning to run',
      async () =>
        (await runtime.deps.queues.deadlines.getJob(warningJobId(comment.id)))?.finishedOn !== undefined,
    );
    const late = await runtime.deps.queues.deadlines.getJob(warningJobId(comment.id));
    expect(await late!.getState()).toBe('completed');
    expect(await runtime.deps.queues.deadlines.getJob(breachJobId(comment.id))).toBeUndefined();
    expect((await reload(comment.id)).warnedAt).toBeNull();
  });

  it('removes the timers when the comment is answered', async () => {
    const f = await fixture({ responseHours: 24 });
    const comment = await createComment(t.db, { schoolId: f.school.id, accountId: f.account.id });
    await processWithDeadline(comment.id);
    expect(await runtime.deps.queues.deadlines.getJob(warningJobId(comment.id))).toBeDefined();

    const res = await respondAs(f.comms.id, comment.id, {
      kind: 'offline',
      channel: 'phone',
      contactPerson: 'The parent',
      note: 'Rang back with the answer.',
    });
    expect(res.statusCode).toBe(201);
    expect(await runtime.deps.queues.deadlines.getJob(warningJobId(comment.id))).toBeUndefined();
    expect(await runtime.deps.queues.deadlines.getJob(breachJobId(comment.id))).toBeUndefined();
  });

  it('after Redis loses every timer, the sweep still breaches what is due', async () => {
    const f = await fixture({ responseHours: 0.0005 });
    const comment = await createComment(t.db, { schoolId: f.school.id, accountId: f.account.id });
    await processWithDeadline(comment.id);
    expect(await runtime.deps.queues.deadlines.getJob(warningJobId(comment.id))).toBeDefined();
    // Every key of this file's queues goes: the timers and the sweep's schedule with them.
    await runtime.close();
    await clearRedisPrefix(config.redisPrefix);
    await new Promise((r) => setTimeout(r, 2_000));
    expect((await reload(comment.id)).breachedAt).toBeNull();

    runtime = await start();
    await waitFor('the sweep to breach', async () => !!(await reload(comment.id)).breachedAt);
    await expectAuditEntry(t.db, { action: 'comment.deadline_breached', subjectId: comment.id });
    // The sweep and a late timer do not breach twice.
    await runtime.deps.queues.add('deadline-breach', { commentId: comment.id });
    await runtime.deps.queues.add('deadline-sweep', {});
    await new Promise((r) => setTimeout(r, 1_000));
    const breaches = await t.db
      .select()
      .from(notifications)
      .where(
        and(eq(notifications.subjectId, comment.id), eq(notifications.event, 'comment.deadline_breached')),
      );
    expect(breaches.map((n) => n.userId).sort()).toEqual([f.admin.id, f.senior.id].sort());
    expect(
      (await auditActions(t.db, comment.id)).filter((a) => a === 'comment.deadline_breached'),
    ).toHaveLength(1);
  });

  it('a public reply meets the deadline when the platform confirms it', async () => {
    const f = await fixture({ responseHours: 24 });
    const comment = await createComment(t.db, { schoolId: f.school.id, accountId: f.account.id });
    await processWithDeadline(comment.id);
    const res = await respondAs(f.admin.id, comment.id, {
      kind: 'public_reply',
      text: 'The fair starts at 10am. See you there!',
    });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ responseStatus: 'sending', commentStatus: 'open', metDeadline: null });
    const responseId = res.json().responseId as string;

    await waitFor('the reply to be sent', async () => (await reload(comment.id)).status === 'responded');
    const [response] = await t.db.select().from(responses).where(eq(responses.id, responseId));
    expect(response).toMatchObject({ status: 'sent', actorId: f.admin.id });
    expect(replies).toContainEqual({
      inReplyTo: comment.externalId,
      text: 'The fair starts at 10am. See you there!',
    });
    const done = await reload(comment.id);
    expect(done.firstResponseAt).not.toBeNull();
    await expectAuditEntry(t.db, { action: 'response.sent', subjectId: responseId });
    await expectAuditEntry(t.db, {
      action: 'comment.responded',
      subjectId: comment.id,
      details: { kind: 'public_reply', respondedBy: f.admin.id, metDeadline: true },
    });
    await waitFor(
      'the timers to go',
      async () => !(await runtime.deps.queues.deadlines.getJob(warningJobId(comment.id))),
    );
  });
});
