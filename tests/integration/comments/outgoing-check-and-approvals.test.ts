import { and, eq } from 'drizzle-orm';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../../config/load-config.js';
import { auditEntries, comments, notifications, responses } from '../../../db/schema/index.js';
import { type Sandbox, startSandbox } from '../../../sandbox/server.js';
import { verifyAudit } from '../../../services/audit/verify-audit.js';
import { importRoster } from '../../../services/classification/import-roster.js';
import { systemContext } from '../../../services/core/service-context.js';
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

async function waitFor(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

let n = 0;

/** A school with comms, two senior leaders, an account admin, a DSL, an X account on the sandbox. */
async function scene() {
  n += 1;
  const school = await createSchool(t.db, { name: `Brook Lane ${n}` });
  const role = (r: 'comms' | 'senior_leader' | 'safeguarding_lead') =>
    createUser(t.db, { trustId: school.trustId, roles: [{ schoolId: school.id, role: r }] });
  const [comms, head, deputy, admin] = await Promise.all([
    role('comms'),
    role('senior_leader'),
    role('senior_leader'),
    role('comms'),
  ]);
  const { account, user } = await connectSandboxAccount(t.db, sandbox, config, {
    schoolId: school.id,
    username: `brook_lane_${n}`,
    adminIds: [admin.id],
  });
  const post = sandbox.state.createPost({ author: user.id, text: 'Our new library opens today' });
  const other = await createSchool(t.db);
  const outsider = await createUser(t.db, {
    trustId: other.trustId,
    roles: [{ schoolId: other.id, role: 'senior_leader' }],
  });
  async function comment(text: string, categories: string[] = []) {
    const reply = sandbox.state.injectComment({ from: `member_${n}`, inReplyTo: post.id, text });
    return createComment(t.db, {
      schoolId: school.id,
      accountId: account.id,
      externalId: reply.id,
      conversationId: post.id,
      inReplyToExternalId: post.id,
      text: reply.text,
      categories,
      deadlineAt: new Date(Date.now() + 86_400_000),
    });
  }
  return { school, comms, head, deputy, admin, account, user, outsider, comment };
}

async function call(userId: string, method: 'GET' | 'POST', url: string, payload?: object) {
  const { headers } = await signIn(t.db, userId);
  return api.app.inject({ method, url, headers, ...(payload ? { payload } : {}) });
}

/** What the school's account has posted on the platform in reply to this comment. */
const repliesTo = (externalId: string) =>
  sandbox.state
    .conversation(sandbox.state.tweet(externalId)!.conversationId)
    .filter((tw) => tw.inReplyToTweetId === externalId && !tw.deleted);

async function responseRow(id: string) {
  const [row] = await t.db.select().from(responses).where(eq(responses.id, id));
  return row!;
}

describe('the outgoing check (P11)', () => {
  it('refuses a reply with profanity, personal data or a pupil from the roster, listing each span and reason', async () => {
    const s = await scene();
    await importRoster(
      systemContext(t.db, 'test'),
      s.school.id,
      { csv: 'Freddie,Ashworth,Year 5' },
      config.encryptionKey,
    );
    const c = await s.comment('Who won the reading prize?');
    const url = `/api/comments/${c.id}/responses`;

    const swear = await call(s.comms.id, 'POST', url, {
      kind: 'public_reply',
      text: 'Sorry, that was a sh1t day',
    });
    expect(swear.statusCode).toBe(422);
    const swearBody = swear.json();
    expect(swearBody.error).toBe('PRECONDITION_FAILED');
    expect(swearBody.problems).toHaveLength(1);
    const [problem] = swearBody.problems;
    expect(problem).toMatchObject({
      category: 'offensive',
      reason: expect.stringMatching(/offensive language/),
    });
    const replyText = 'Sorry, that was a sh1t day';
    expect(replyText.slice(problem.spans[0][0], problem.spans[0][1])).toBe('sh1t');

    const phone = await call(s.comms.id, 'POST', url, {
      kind: 'public_reply',
      text: 'Call Mrs Patel on 07700 900123 about it',
    });
    expect(phone.statusCode).toBe(422);
    expect(phone.json().problems).toEqual([
      expect.objectContaining({
        category: 'personal_data',
        subcategory: 'phone',
        reason: expect.any(String),
      }),
    ]);

    const pupilText = 'Well done to Freddie Ashworth for winning!';
    for (const kind of ['public_reply', 'private_reply']) {
      const pupil = await call(s.comms.id, 'POST', url, { kind, text: pupilText });
      expect(pupil.statusCode).toBe(422);
      const [p] = pupil.json().problems;
      expect(p).toMatchObject({ category: 'safeguarding', subcategory: 'pupil_named' });
      expect(p.reason).toMatch(/never name a pupil/);
      expect(pupilText.slice(p.spans[0][0], p.spans[0][1])).toBe('Freddie Ashworth');
    }

    // Nothing recorded, nothing sent, the comment still open.
    expect(await t.db.select().from(responses).where(eq(responses.commentId, c.id))).toEqual([]);
    expect(repliesTo(c.externalId)).toEqual([]);
    const [still] = await t.db.select().from(comments).where(eq(comments.id, c.id));
    expect(still!.status).toBe('open');

    // A clean reply goes.
    const ok = await call(s.comms.id, 'POST', url, {
      kind: 'public_reply',
      text: 'The winners are in Friday’s newsletter.',
    });
    expect(ok.statusCode).toBe(201);
    expect(ok.json()).toMatchObject({ responseStatus: 'sending' });
  });

  it('only a senior leader overrides it, with a reason, and the override is audited', async () => {
    const s = await scene();
    const c = await s.comment('Where is the office?');
    const url = `/api/comments/${c.id}/responses`;
    const text = 'Please email office@brooklane.sch.uk for anything urgent';
    const refused = await call(s.comms.id, 'POST', url, {
      kind: 'public_reply',
      text,
      overrideReason: 'It is the school office address',
    });
    expect(refused.statusCode).toBe(403);

    const res = await call(s.head.id, 'POST', url, {
      kind: 'public_reply',
      text,
      overrideReason: 'It is the school office address, published on our website',
    });
    expect(res.statusCode).toBe(201);
    const { responseId } = res.json();
    expect(await responseRow(responseId)).toMatchObject({
      overrideReason: 'It is the school office address, published on our website',
    });
    const entry = await expectAuditEntry(t.db, {
      action: 'response.check_overridden',
      subjectId: responseId,
      actorId: s.head.id,
      details: {
        reason: 'It is the school office address, published on our website',
        problems: [expect.objectContaining({ category: 'personal_data', subcategory: 'email' })],
      },
    });
    expect(JSON.stringify(entry.details)).not.toContain('office@');
    await waitFor('the reply on the platform', async () => (await responseRow(responseId)).status === 'sent');
    expect(repliesTo(c.externalId).map((r) => r.text)).toEqual([expect.stringContaining(text)]);
  });

  it('lets a reply signed with a kiss, or quoting a score, go out to the platform', async () => {
    const s = await scene();
    const c = await s.comment('Good luck to the netball team tomorrow x');
    const text = 'Thank you! We won 3 x 2, see you at the next match x';
    const res = await call(s.comms.id, 'POST', `/api/comments/${c.id}/responses`, {
      kind: 'public_reply',
      text,
    });
    expect(res.statusCode, res.body).toBe(201);
    const { responseId } = res.json();
    await waitFor('the reply on the platform', async () => (await responseRow(responseId)).status === 'sent');
    expect(repliesTo(c.externalId).map((r) => r.text)).toEqual([expect.stringContaining(text)]);
  });

  it('checks a moderation notice the same way', async () => {
    const s = await scene();
    const c = await s.comment('this school is a joke');
    const res = await call(s.admin.id, 'POST', `/api/comments/${c.id}/actions`, {
      kind: 'notice',
      reasonCategory: 'offensive',
      reasonText: 'abusive',
      noticeText: 'We removed a comment. Ring 07700 900456 to discuss it.',
    });
    expect(res.statusCode).toBe(422);
    expect(res.json().problems).toEqual([
      expect.objectContaining({ category: 'personal_data', subcategory: 'phone' }),
    ]);
    const fine = await call(s.admin.id, 'POST', `/api/comments/${c.id}/actions`, {
      kind: 'notice',
      reasonCategory: 'offensive',
      reasonText: 'abusive',
      noticeText: 'We removed a comment that broke our house rules.',
    });
    expect([201, 202]).toContain(fine.statusCode);
  });
});

describe('senior-leader approval of sensitive replies (P6, P10)', () => {
  it('a reply to a media enquiry waits; a senior leader approves it and only then is it sent', async () => {
    const s = await scene();
    const c = await s.comment('I am a reporter at the Gazette, can the head comment on the Ofsted report?', [
      'media_enquiry',
    ]);
    const res = await call(s.comms.id, 'POST', `/api/comments/${c.id}/responses`, {
      kind: 'public_reply',
      text: 'Thank you, the headteacher will be in touch by email.',
    });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({
      responseStatus: 'pending_approval',
      commentStatus: 'open',
      metDeadline: null,
    });
    const { responseId } = res.json();
    expect(await responseRow(responseId)).toMatchObject({ status: 'pending_approval', approvedBy: null });
    await expectAuditEntry(t.db, {
      action: 'response.approval_requested',
      subjectId: responseId,
      actorId: s.comms.id,
    });
    for (const leader of [s.head, s.deputy]) {
      const notes = await t.db
        .select()
        .from(notifications)
        .where(and(eq(notifications.userId, leader.id), eq(notifications.event, 'reply.approval_requested')));
      expect(notes).toMatchObject([{ urgency: 'normal', subjectId: responseId }]);
    }

    // Listed for senior leaders of this school only.
    const pending = await call(s.head.id, 'GET', '/api/responses/pending');
    expect(pending.statusCode).toBe(200);
    expect(pending.json().responses).toMatchObject([
      { id: responseId, kind: 'public_reply', draftedBy: { id: s.comms.id }, comment: { id: c.id } },
    ]);
    expect((await call(s.comms.id, 'GET', '/api/responses/pending')).statusCode).toBe(403);
    expect((await call(s.outsider.id, 'GET', '/api/responses/pending')).json().responses).toEqual([]);

    // Nothing has gone to the platform yet; nobody else may decide.
    expect(repliesTo(c.externalId)).toEqual([]);
    expect((await call(s.comms.id, 'POST', `/api/responses/${responseId}/approve`, {})).statusCode).toBe(403);
    expect((await call(s.admin.id, 'POST', `/api/responses/${responseId}/approve`, {})).statusCode).toBe(403);
    expect((await call(s.outsider.id, 'POST', `/api/responses/${responseId}/approve`, {})).statusCode).toBe(
      404,
    );

    const approved = await call(s.head.id, 'POST', `/api/responses/${responseId}/approve`, {
      note: 'Approved',
    });
    expect(approved.statusCode).toBe(200);
    expect(approved.json()).toMatchObject({ responseStatus: 'sending', metDeadline: null });
    await waitFor(
      'the approved reply to be sent',
      async () => (await responseRow(responseId)).status === 'sent',
    );
    expect(await responseRow(responseId)).toMatchObject({ approvedBy: s.head.id });
    expect(repliesTo(c.externalId)).toHaveLength(1);
    const [done] = await t.db.select().from(comments).where(eq(comments.id, c.id));
    expect(done).toMatchObject({ status: 'responded' });
    await expectAuditEntry(t.db, { action: 'response.approved', subjectId: responseId, actorId: s.head.id });

    // Deciding twice is a conflict.
    expect((await call(s.deputy.id, 'POST', `/api/responses/${responseId}/approve`, {})).statusCode).toBe(
      409,
    );
    expect((await verifyAudit(t.db)).intact).toBe(true);
  });

  it('a rejected reply is never sent; the author is told why and the comment stays open', async () => {
    const s = await scene();
    const c = await s.comment('Journalist here: is it true staff are striking?', ['media_enquiry']);
    const res = await call(s.comms.id, 'POST', `/api/comments/${c.id}/responses`, {
      kind: 'public_reply',
      text: 'Yes, some staff are on strike next week.',
    });
    const { responseId } = res.json();
    expect((await call(s.head.id, 'POST', `/api/responses/${responseId}/reject`, {})).statusCode).toBe(400);
    const rejected = await call(s.head.id, 'POST', `/api/responses/${responseId}/reject`, {
      reason: 'Media statements come from the trust press office',
    });
    expect(rejected.statusCode).toBe(200);
    expect(await responseRow(responseId)).toMatchObject({
      status: 'rejected',
      error: 'Media statements come from the trust press office',
    });
    const told = await t.db
      .select()
      .from(notifications)
      .where(and(eq(notifications.userId, s.comms.id), eq(notifications.event, 'reply.rejected')));
    expect(told).toHaveLength(1);
    expect(told[0]!.body).toContain('trust press office');
    await expectAuditEntry(t.db, {
      action: 'response.rejected',
      subjectId: responseId,
      details: { reason: 'Media statements come from the trust press office' },
    });
    expect(repliesTo(c.externalId)).toEqual([]);
    const [still] = await t.db.select().from(comments).where(eq(comments.id, c.id));
    expect(still).toMatchObject({ status: 'open', firstResponseAt: null });
    expect((await call(s.head.id, 'POST', `/api/responses/${responseId}/approve`, {})).statusCode).toBe(409);

    // A holding reply is a reply too: to a journalist it waits for approval like any other (P6),
    // and so does an offline contact, holding or not (issue 17): approved, it meets the deadline (P2).
    const ack = await call(s.comms.id, 'POST', `/api/comments/${c.id}/responses`, {
      kind: 'acknowledgement',
    });
    expect(ack.json()).toMatchObject({ responseStatus: 'pending_approval', metDeadline: null });
    const held = await call(s.comms.id, 'POST', `/api/comments/${c.id}/responses`, {
      kind: 'offline',
      channel: 'email',
      contactPerson: 'The reporter',
      note: 'Told them the press office will answer by Friday.',
      holding: true,
    });
    expect(held.json()).toMatchObject({ responseStatus: 'pending_approval', metDeadline: null });
    const approved = await call(s.head.id, 'POST', `/api/responses/${held.json().responseId}/approve`, {});
    expect(approved.json()).toMatchObject({
      responseStatus: 'recorded',
      commentStatus: 'responded',
      metDeadline: true,
    });
    const [followUp] = await t.db.select().from(comments).where(eq(comments.id, c.id));
    // A holding contact: the full answer is still owed, so it stays in the follow-up queue.
    expect(followUp!.answeredAt).toBeNull();
  });

  it("a senior leader's own reply to a media enquiry is approved by its author and sent at once", async () => {
    const s = await scene();
    const c = await s.comment('BBC local radio: could the head talk to us about the new library?', [
      'media_enquiry',
    ]);
    const res = await call(s.head.id, 'POST', `/api/comments/${c.id}/responses`, {
      kind: 'public_reply',
      text: 'Happy to, we will message you.',
    });
    expect(res.json()).toMatchObject({ responseStatus: 'sending' });
    expect(await responseRow(res.json().responseId)).toMatchObject({ approvedBy: s.head.id });
    await waitFor('sent', async () => (await responseRow(res.json().responseId)).status === 'sent');
  });

  it('a private reply to a media enquiry, or any reply whose author asks, waits too; approving a private one records it', async () => {
    const s = await scene();
    const media = await s.comment('Reporter from the Echo: please call me', ['media_enquiry']);
    const priv = await call(s.comms.id, 'POST', `/api/comments/${media.id}/responses`, {
      kind: 'private_reply',
      text: 'Our head will call you this afternoon.',
    });
    expect(priv.json()).toMatchObject({ responseStatus: 'pending_approval', commentStatus: 'open' });
    const approved = await call(s.deputy.id, 'POST', `/api/responses/${priv.json().responseId}/approve`, {});
    expect(approved.json()).toMatchObject({
      responseStatus: 'recorded',
      commentStatus: 'responded',
      metDeadline: true,
    });

    const plain = await s.comment('Why did you change the uniform supplier?');
    const asked = await call(s.comms.id, 'POST', `/api/comments/${plain.id}/responses`, {
      kind: 'public_reply',
      text: 'The governors chose a cheaper supplier after consultation.',
      requestApproval: true,
    });
    expect(asked.json()).toMatchObject({ responseStatus: 'pending_approval' });
    await expectAuditEntry(t.db, {
      action: 'response.approval_requested',
      subjectId: asked.json().responseId,
      details: { why: 'requested by its author (P10)' },
    });
    // The author cannot approve their own draft even if they are a senior leader elsewhere in the flow.
    const own = await call(s.head.id, 'POST', `/api/comments/${plain.id}/responses`, {
      kind: 'public_reply',
      text: 'More detail is in the newsletter.',
      requestApproval: true,
    });
    expect(own.json()).toMatchObject({ responseStatus: 'sending' });
    const auditCount = await t.db
      .select()
      .from(auditEntries)
      .where(eq(auditEntries.subjectId, asked.json().responseId));
    expect(auditCount.map((e) => e.action)).toEqual(['response.approval_requested']);
  });
});
