import { and, eq } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { comments, moderationActions, notifications } from '../../../db/schema/index.js';
import { type Sandbox, startSandbox } from '../../../sandbox/server.js';
import { buildTestApp, type TestApp } from '../../helpers/build-test-app.js';
import { expectAuditEntry } from '../../helpers/expect-audit-entry.js';
import { createComment, createSchool, createTrust, createUser } from '../../helpers/factories.js';
import { signIn } from '../../helpers/sign-in.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';
import { clearRedisPrefix } from '../../helpers/test-redis.js';
import { moderationScene, runAction } from './moderation-fixture.js';

let t: TestDatabase;
let sandbox: Sandbox;
let api: TestApp;

beforeAll(async () => {
  t = await createTestDatabase();
  sandbox = await startSandbox({ port: 0, host: '127.0.0.1' });
  api = await buildTestApp(t.db, { configOverrides: { X_API_BASE_URL: sandbox.url } });
});
afterAll(async () => {
  await clearRedisPrefix(api.config.redisPrefix);
  await api.close();
  await sandbox.close();
  await t.drop();
});
afterEach(() => sandbox.faults.reset());

const scene = () => moderationScene(t.db, sandbox, api.config);

async function call(userId: string, method: 'GET' | 'POST', url: string, payload?: object) {
  const { headers } = await signIn(t.db, userId);
  return api.app.inject({ method, url, headers, ...(payload ? { payload } : {}) });
}

const outcomeOf = async (userId: string, actionId: string) => {
  const res = await call(userId, 'GET', `/api/actions/${actionId}`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json().outcome;
};

/** A reply under someone else's post that mentions the school: X will not let the school hide it. */
async function replyElsewhere(s: Awaited<ReturnType<typeof scene>>) {
  const stranger = sandbox.state.createAccount({ username: `stranger_${Date.now()}` });
  const post = sandbox.state.createPost({ author: stranger.id, text: 'Look at this school' });
  const reply = sandbox.state.injectComment({
    from: `angry_elsewhere_${Date.now()}`,
    inReplyTo: post.id,
    text: `@${s.account.handle} useless id10ts`,
  });
  return createComment(t.db, {
    schoolId: s.school.id,
    accountId: s.account.id,
    externalId: reply.id,
    conversationId: post.id,
    inReplyToExternalId: post.id,
    authorExternalId: reply.authorId,
    authorHandle: 'angry_elsewhere',
    text: reply.text,
  });
}

const hide = { kind: 'hide', reasonCategory: 'offensive', reasonText: 'insults staff' };

describe('an action says what really happened', () => {
  it('queued says queued; done says done', async () => {
    const s = await scene();
    const res = await call(s.adminA.id, 'POST', `/api/comments/${s.comment.id}/actions`, hide);
    const { action } = res.json();
    // The answer to the request says queued, not done.
    expect(res.json().outcome).toMatchObject({ state: 'queued' });
    expect(await outcomeOf(s.adminA.id, action.id)).toMatchObject({
      state: 'queued',
      headline: 'Queued: X will hide the comment shortly.',
      nextSteps: [],
    });
    await runAction(t.db, api.config, action.id);
    expect(await outcomeOf(s.comms.id, action.id)).toMatchObject({
      state: 'done',
      headline: 'Done on X: the comment is hidden.',
    });
  });

  it('a hide X refuses says why in plain words and offers what X allows instead', async () => {
    const s = await scene();
    const comment = await replyElsewhere(s);
    const res = await call(s.adminA.id, 'POST', `/api/comments/${comment.id}/actions`, hide);
    expect(res.statusCode, res.body).toBe(201);
    const { action } = res.json();
    expect(await runAction(t.db, api.config, action.id)).toMatchObject({ status: 'failed' });

    const outcome = await outcomeOf(s.adminA.id, action.id);
    expect(outcome).toMatchObject({ state: 'refused', headline: 'Not done: X refused to hide the comment.' });
    expect(outcome.detail).toMatch(/hide only replies in conversations the account started/);
    expect(outcome.detail).toMatch(/not a reply to one of the school's posts/);
    const steps = outcome.nextSteps.map((n: { step: string; kind?: string; mode?: string }) =>
      [n.step, n.kind, n.mode].filter(Boolean).join(':'),
    );
    // Retrying cannot help and X's app has the same rule: mute (X does it), block or report by hand.
    expect(steps).toEqual([
      'take_action:mute:platform',
      'take_action:block:manual',
      'take_action:report:manual',
      'take_action:delete:manual',
    ]);
    expect(outcome.nextSteps[0].label).toBe('Mute the author instead');
    // The admins are told the same, in the notification (not "do it in the app": X's app refuses too).
    const [told] = await t.db
      .select()
      .from(notifications)
      .where(and(eq(notifications.userId, s.adminB.id), eq(notifications.event, 'action.failed')));
    expect(told!.body).toMatch(/^X lets an account hide only replies in conversations the account started/);
    expect(told!.body).toContain('What you can do: Mute the author; Block the author in X');
    expect(told!.body).not.toMatch(/Do it in the platform/);

    // The comment stays open: nothing was done to it.
    const [row] = await t.db.select().from(comments).where(eq(comments.id, comment.id));
    expect(row!.status).toBe('open');
    // The offered mute works.
    const mute = await call(s.adminA.id, 'POST', `/api/comments/${comment.id}/actions`, {
      kind: 'mute',
      reasonCategory: 'offensive',
      reasonText: 'X would not hide it',
    });
    expect(mute.statusCode, mute.body).toBe(201);
    await runAction(t.db, api.config, mute.json().action.id);
    expect(await outcomeOf(s.adminA.id, mute.json().action.id)).toMatchObject({ state: 'done' });
  });

  it('a failure X may get over offers a retry and the manual path; a retry under the same approval succeeds', async () => {
    const s = await scene();
    const res = await call(s.adminA.id, 'POST', `/api/comments/${s.comment.id}/actions`, hide);
    const { action } = res.json();
    sandbox.faults.set({ status5xx: { count: 5, status: 503 } });
    expect(await runAction(t.db, api.config, action.id, { maxAttempts: 1 })).toMatchObject({
      status: 'failed',
    });
    sandbox.faults.reset();

    const outcome = await outcomeOf(s.adminA.id, action.id);
    expect(outcome.state).toBe('failed');
    expect(outcome.detail).toMatch(/X did not answer after 1 try/);
    expect(outcome.nextSteps.slice(0, 2)).toEqual([
      { step: 'retry', actionId: action.id, label: 'Try again' },
      { step: 'record_by_hand', actionId: action.id, label: "Done it in X's own app? Record it" },
    ]);

    expect((await call(s.comms.id, 'POST', `/api/actions/${action.id}/retry`)).statusCode).toBe(403);
    const retried = await call(s.adminB.id, 'POST', `/api/actions/${action.id}/retry`);
    expect(retried.statusCode, retried.body).toBe(200);
    expect(retried.json().action).toMatchObject({ status: 'queued', attempts: 0, error: null });
    await expectAuditEntry(t.db, { action: 'action.retried', subjectId: action.id, actorId: s.adminB.id });
    expect(await outcomeOf(s.adminA.id, action.id)).toMatchObject({ state: 'queued' });
    expect((await call(s.adminB.id, 'POST', `/api/actions/${action.id}/retry`)).statusCode).toBe(409);

    await runAction(t.db, api.config, action.id);
    expect(sandbox.state.isHidden(s.reply.id)).toBe(true);
    expect(await outcomeOf(s.adminA.id, action.id)).toMatchObject({ state: 'done' });
  });

  it('a refused action done in the app instead is recorded by hand, and closes the comment', async () => {
    const s = await scene();
    const res = await call(s.adminA.id, 'POST', `/api/comments/${s.comment.id}/actions`, hide);
    const { action } = res.json();
    sandbox.faults.set({ status5xx: { count: 5, status: 503 } });
    await runAction(t.db, api.config, action.id, { maxAttempts: 1 });
    sandbox.faults.reset();
    const recorded = await call(s.adminB.id, 'POST', `/api/actions/${action.id}/record`, {
      note: 'Hidden from the X app on my phone',
    });
    expect(recorded.statusCode, recorded.body).toBe(200);
    expect(recorded.json().action).toMatchObject({ status: 'succeeded', mode: 'manual' });
    expect(await outcomeOf(s.adminA.id, action.id)).toMatchObject({
      state: 'done',
      headline: "Done by hand in X's own app and recorded: the comment is hidden.",
    });
    const [row] = await t.db.select().from(comments).where(eq(comments.id, s.comment.id));
    expect(row!.status).toBe('closed');
    await expectAuditEntry(t.db, {
      action: 'action.recorded',
      subjectId: action.id,
      details: { hasNote: true, afterRefusal: expect.any(String) },
    });
  });
});

describe('recording a manual action (two-admin rule)', () => {
  const del = { kind: 'delete', reasonCategory: 'abusive', reasonText: 'Abuse aimed at staff' };

  it('a delete X cannot do: proposed, confirmed by the second admin, then recorded by hand', async () => {
    const s = await scene();
    const proposed = await call(s.adminA.id, 'POST', `/api/comments/${s.comment.id}/actions`, del);
    expect(proposed.statusCode).toBe(202);
    const id = proposed.json().action.id;
    expect(proposed.json().action).toMatchObject({ mode: 'manual', status: 'proposed' });
    expect(await outcomeOf(s.adminA.id, id)).toMatchObject({ state: 'awaiting_second_admin' });

    // Nobody records what a second admin has not confirmed.
    const early = await call(s.adminA.id, 'POST', `/api/actions/${id}/record`, {});
    expect(early.statusCode).toBe(409);
    expect(early.json().message).toMatch(/still needs a second admin's confirmation/);

    const confirmed = await call(s.adminB.id, 'POST', `/api/actions/${id}/confirm`, {});
    expect(confirmed.statusCode).toBe(200);
    expect(confirmed.json().outcome).toMatchObject({ state: 'needs_recording' });
    const approved = await outcomeOf(s.adminB.id, id);
    expect(approved).toMatchObject({
      state: 'needs_recording',
      headline: "Approved, to be done by hand: delete the comment in X's own app, then record it here.",
      nextSteps: [{ step: 'record_by_hand', actionId: id }],
    });

    // Only the account's admins record it; bad evidence is refused by name.
    expect((await call(s.comms.id, 'POST', `/api/actions/${id}/record`, {})).statusCode).toBe(403);
    expect((await call(s.senior.id, 'POST', `/api/actions/${id}/record`, {})).statusCode).toBe(403);
    const bad = await call(s.adminB.id, 'POST', `/api/actions/${id}/record`, {
      evidenceUrl: 'javascript:alert(1)',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toMatch(/evidenceUrl/);

    const done = await call(s.adminB.id, 'POST', `/api/actions/${id}/record`, {
      evidenceUrl: 'https://evidence.example/capture.png',
      note: 'Deleted in the X app',
    });
    expect(done.statusCode, done.body).toBe(200);
    expect(await outcomeOf(s.adminA.id, id)).toMatchObject({ state: 'done' });
    expect((await call(s.adminA.id, 'POST', `/api/actions/${id}/record`, {})).statusCode).toBe(409);
  });

  it("another school's admin and another trust's admin cannot record or retry it", async () => {
    const s = await scene();
    const other = await scene();
    const trust = await createTrust(t.db);
    const theirs = await createSchool(t.db, { trustId: trust.id });
    const stranger = await createUser(t.db, {
      trustId: trust.id,
      roles: [{ schoolId: theirs.id, role: 'trust_admin' }],
    });
    const proposed = await call(s.adminA.id, 'POST', `/api/comments/${s.comment.id}/actions`, del);
    const id = proposed.json().action.id;
    await call(s.adminB.id, 'POST', `/api/actions/${id}/confirm`, {});
    for (const who of [other.adminA.id, stranger.id]) {
      expect((await call(who, 'POST', `/api/actions/${id}/record`, {})).statusCode).toBe(404);
      expect((await call(who, 'POST', `/api/actions/${id}/retry`)).statusCode).toBe(404);
      expect((await call(who, 'GET', `/api/actions/${id}`)).statusCode).toBe(404);
    }
    const [row] = await t.db.select().from(moderationActions).where(eq(moderationActions.id, id));
    expect(row!.status).toBe('approved');
  });
});
