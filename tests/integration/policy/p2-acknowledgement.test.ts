import { eq } from 'drizzle-orm';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../../config/load-config.js';
import { comments, responses, schools } from '../../../db/schema/index.js';
import { type Sandbox, startSandbox } from '../../../sandbox/server.js';
import { systemContext } from '../../../services/core/service-context.js';
import { deadlineReport } from '../../../services/deadlines/deadline-report.js';
import { startWorkerRuntime, type WorkerRuntime } from '../../../workers/worker-runtime.js';
import { buildTestApp, type TestApp } from '../../helpers/build-test-app.js';
import { expectAuditEntry } from '../../helpers/expect-audit-entry.js';
import { createComment, createSchool, createUser } from '../../helpers/factories.js';
import { connectSandboxAccount } from '../../helpers/sandbox-account.js';
import { signIn } from '../../helpers/sign-in.js';
import { testConfig } from '../../helpers/test-config.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';
import { clearRedisPrefix } from '../../helpers/test-redis.js';

let t: TestDatabase;
let sandbox: Sandbox;
let config: Config;
let api: TestApp;
let runtime: WorkerRuntime;

beforeAll(async () => {
  t = await createTestDatabase();
  sandbox = await startSandbox({ port: 0, host: '127.0.0.1' });
  config = testConfig({ X_API_BASE_URL: sandbox.url });
  api = await buildTestApp(t.db, { config });
  runtime = await startWorkerRuntime({
    config,
    db: t.db,
    logger: pino({ level: 'silent' }),
    queues: ['actions'],
  });
});
afterAll(async () => {
  await runtime.close();
  await api.close();
  await clearRedisPrefix(config.redisPrefix);
  await sandbox.close();
  await t.drop();
});

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 20_000) {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

let n = 0;
async function scene() {
  n += 1;
  const school = await createSchool(t.db, { name: `Holding Lane ${n}` });
  const comms = await createUser(t.db, {
    trustId: school.trustId,
    roles: [{ schoolId: school.id, role: 'comms' }],
  });
  const head = await createUser(t.db, {
    trustId: school.trustId,
    roles: [{ schoolId: school.id, role: 'senior_leader' }],
  });
  const { account, user } = await connectSandboxAccount(t.db, sandbox, config, {
    schoolId: school.id,
    username: `holding_lane_${n}`,
    adminIds: [comms.id],
  });
  const post = sandbox.state.createPost({ author: user.id, text: 'Sports day is on Friday' });
  async function comment(text = 'When does sports day start?') {
    const reply = sandbox.state.injectComment({ from: `parent_${n}`, inReplyTo: post.id, text });
    return createComment(t.db, {
      schoolId: school.id,
      accountId: account.id,
      externalId: reply.id,
      conversationId: post.id,
      inReplyToExternalId: post.id,
      text: reply.text,
      deadlineAt: new Date(Date.now() + 86_400_000),
    });
  }
  return { school, comms, head, account, comment };
}

async function call(userId: string, method: 'GET' | 'POST', url: string, payload?: object) {
  const { headers } = await signIn(t.db, userId);
  return api.app.inject({ method, url, headers, ...(payload ? { payload } : {}) });
}

const reload = async (id: string) => (await t.db.select().from(comments).where(eq(comments.id, id)))[0]!;
const repliesOnPlatform = (externalId: string) =>
  sandbox.state
    .conversation(sandbox.state.tweet(externalId)!.conversationId)
    .filter((tw) => tw.inReplyToTweetId === externalId && !tw.deleted)
    .map((tw) => tw.text);

async function report(schoolId: string) {
  const today = new Date().toISOString().slice(0, 10);
  return deadlineReport(systemContext(t.db, 'test'), schoolId, { from: today, to: today });
}

describe('P2: an acknowledgement that meets the deadline is visible to the commenter', () => {
  it("acknowledging posts the school's editable holding reply; it meets the deadline and the comment waits in the follow-up queue", async () => {
    const s = await scene();
    await t.db
      .update(schools)
      .set({ holdingReplyTemplate: 'Thanks, we have seen this and the office will reply by Friday.' })
      .where(eq(schools.id, s.school.id));
    const c = await s.comment();
    const res = await call(s.comms.id, 'POST', `/api/comments/${c.id}/responses`, {
      kind: 'acknowledgement',
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ responseStatus: 'sending', metDeadline: null });
    await waitFor('the holding reply on X', async () => (await reload(c.id)).status === 'responded');
    expect(repliesOnPlatform(c.externalId)).toEqual([
      'Thanks, we have seen this and the office will reply by Friday.',
    ]);
    const held = await reload(c.id);
    expect(held.firstResponseAt).not.toBeNull();
    expect(held.answeredAt).toBeNull();
    expect(held.followUpDueAt!.getTime()).toBeGreaterThan(Date.now() + 3 * 86_400_000);
    await expectAuditEntry(t.db, {
      action: 'comment.responded',
      subjectId: c.id,
      details: { kind: 'acknowledgement', holding: true, metDeadline: true },
    });

    const queue = await call(s.comms.id, 'GET', '/follow-ups');
    expect(queue.statusCode).toBe(200);
    expect(queue.body).toContain(`/comments/${c.id}`);
    expect((await report(s.school.id)).school).toMatchObject({
      respondedInTime: 1,
      answered: 0,
      awaitingFullAnswer: 1,
    });

    // The full answer takes it off the queue without moving the first response.
    const full = await call(s.comms.id, 'POST', `/api/comments/${c.id}/responses`, {
      kind: 'public_reply',
      text: 'Sports day starts at 9:30 on the field.',
    });
    expect(full.statusCode).toBe(201);
    await waitFor('the answer', async () => (await reload(c.id)).answeredAt !== null);
    expect((await reload(c.id)).firstResponseAt).toEqual(held.firstResponseAt);
    expect((await call(s.comms.id, 'GET', '/follow-ups')).body).not.toContain(`/comments/${c.id}`);
    expect((await report(s.school.id)).school).toMatchObject({ answered: 1, awaitingFullAnswer: 0 });
  });

  it('an internal "seen" posts nothing and does not meet the deadline', async () => {
    const s = await scene();
    const c = await s.comment();
    const res = await call(s.comms.id, 'POST', `/api/comments/${c.id}/responses`, {
      kind: 'seen',
      note: 'Looking into it',
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ commentStatus: 'open', metDeadline: null });
    const after = await reload(c.id);
    expect(after).toMatchObject({ status: 'open', firstResponseAt: null });
    expect(repliesOnPlatform(c.externalId)).toEqual([]);
    await expectAuditEntry(t.db, {
      action: 'comment.seen',
      subjectId: c.id,
      details: { metDeadline: false },
    });
  });

  it('an offline contact is recorded with who and how; without who it is refused', async () => {
    const s = await scene();
    const c = await s.comment();
    const url = `/api/comments/${c.id}/responses`;
    const missing = await call(s.comms.id, 'POST', url, {
      kind: 'offline',
      channel: 'phone',
      note: 'Rang back',
    });
    expect(missing.statusCode).toBe(400);
    expect(missing.body).toContain('who was contacted');
    const nul = await call(s.comms.id, 'POST', url, {
      kind: 'offline',
      channel: 'phone',
      contactPerson: 'Mrs\u0000Shah',
      note: 'Rang back',
    });
    expect(nul.statusCode).toBe(400);
    const ok = await call(s.comms.id, 'POST', url, {
      kind: 'offline',
      channel: 'phone',
      contactPerson: 'Mrs Shah, the parent',
      note: 'Rang back; will confirm the start time in writing',
      holding: true,
    });
    expect(ok.statusCode, ok.body).toBe(201);
    expect(ok.json()).toMatchObject({ metDeadline: true, commentStatus: 'responded' });
    const [row] = await t.db.select().from(responses).where(eq(responses.commentId, c.id));
    expect(row).toMatchObject({
      kind: 'offline',
      channel: 'phone',
      contactPerson: 'Mrs Shah, the parent',
      holding: true,
    });
    expect((await reload(c.id)).answeredAt).toBeNull();
  });

  it('bulk acknowledge sends each commenter the holding reply; the report does not call them answered', async () => {
    const s = await scene();
    const a = await s.comment('Is the school open tomorrow?');
    const b = await s.comment('Where do I send the trip form?');
    const res = await call(s.comms.id, 'POST', '/api/inbox/acknowledge', { commentIds: [a.id, b.id] });
    expect(res.statusCode, res.body).toBe(200);
    await waitFor('both holding replies', async () =>
      (await Promise.all([reload(a.id), reload(b.id)])).every((c) => c.status === 'responded'),
    );
    expect(repliesOnPlatform(a.externalId)).toHaveLength(1);
    expect(repliesOnPlatform(b.externalId)).toHaveLength(1);
    const r = await report(s.school.id);
    expect(r.school).toMatchObject({ due: 2, respondedInTime: 2, answered: 0, awaitingFullAnswer: 2 });
  });

  it("another school's staff cannot acknowledge, and a hostile holding text is checked like any reply", async () => {
    const s = await scene();
    const other = await scene();
    const c = await s.comment();
    expect(
      (await call(other.comms.id, 'POST', `/api/comments/${c.id}/responses`, { kind: 'acknowledgement' }))
        .statusCode,
    ).toBe(404);
    const rude = await call(s.comms.id, 'POST', `/api/comments/${c.id}/responses`, {
      kind: 'acknowledgement',
      text: 'shut up you idiot',
    });
    expect(rude.statusCode).toBe(422);
    expect((await reload(c.id)).status).toBe('open');
  });
});
