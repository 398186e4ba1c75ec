import { and, eq } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  auditEntries,
  auditPersonalData,
  comments,
  moderationActions,
  notifications,
} from '../../../db/schema/index.js';
import { type Sandbox, startSandbox } from '../../../sandbox/server.js';
import { verifyAudit } from '../../../services/audit/verify-audit.js';
import { systemContext } from '../../../services/core/service-context.js';
import { expireProposals } from '../../../services/moderation/expire-proposals.js';
import { buildTestApp, type TestApp } from '../../helpers/build-test-app.js';
import { auditActions, expectAuditEntry } from '../../helpers/expect-audit-entry.js';
import { signIn } from '../../helpers/sign-in.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';
import { clearRedisPrefix } from '../../helpers/test-redis.js';
import { moderationScene, runAction } from './moderation-fixture.js';

let t: TestDatabase;

async function waitForActionStatus(actionId: string, status: string): Promise<void> {
  for (let i = 0; i < 200; i += 1) {
    const [row] = await t.db
      .select({ status: moderationActions.status })
      .from(moderationActions)
      .where(eq(moderationActions.id, actionId));
    if (row?.status === status) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`action ${actionId} never reached ${status}`);
}
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

const scene = (options?: Parameters<typeof moderationScene>[3]) =>
  moderationScene(t.db, sandbox, api.config, options);

async function post(userId: string, url: string, payload: Record<string, unknown> = {}) {
  const { headers } = await signIn(t.db, userId);
  return api.app.inject({ method: 'POST', url, headers, payload });
}

const hideBody = { kind: 'hide', reasonCategory: 'offensive', reasonText: 'insults staff' };

async function actionRow(id: string) {
  const [row] = await t.db.select().from(moderationActions).where(eq(moderationActions.id, id));
  return row!;
}

describe('one-admin actions', () => {
  it('hide by one admin: hidden on the platform, the comment closed; unhide restores it', async () => {
    const s = await scene();
    const res = await post(s.adminA.id, `/api/comments/${s.comment.id}/actions`, hideBody);
    expect(res.statusCode).toBe(201);
    const { action } = res.json();
    expect(action).toMatchObject({ kind: 'hide', mode: 'platform', status: 'queued' });

    expect(await runAction(t.db, api.config, action.id)).toMatchObject({
      status: 'succeeded',
      calledPlatform: true,
    });
    expect(sandbox.state.isHidden(s.reply.id)).toBe(true);
    const [comment] = await t.db.select().from(comments).where(eq(comments.id, s.comment.id));
    expect(comment).toMatchObject({ status: 'closed' });
    expect(comment!.resolvedAt).toBeInstanceOf(Date);
    await expectAuditEntry(t.db, {
      action: 'comment.closed',
      subjectId: s.comment.id,
      details: { actionId: action.id },
    });
    expect(await auditActions(t.db, action.id)).toEqual([
      'action.proposed',
      'action.approved',
      'action.queued',
      'action.executing',
      'action.succeeded',
    ]);

    const undo = await post(s.adminB.id, `/api/comments/${s.comment.id}/actions`, {
      ...hideBody,
      kind: 'unhide',
      reasonText: 'hidden by mistake',
    });
    expect(undo.statusCode).toBe(201);
    await runAction(t.db, api.config, undo.json().action.id);
    expect(sandbox.state.isHidden(s.reply.id)).toBe(false);
    expect((await verifyAudit(t.db)).intact).toBe(true);
  });

  it('a duplicated or re-delivered job acts once: the second run finds the action done', async () => {
    const s = await scene();
    const { action } = (
      await post(s.adminA.id, `/api/comments/${s.comment.id}/actions`, { ...hideBody, kind: 'mute' })
    ).json();
    const before = sandbox.state.stateChanges().length;
    // The platform answers slowly, so the duplicate arrives while the first run holds the action.
    sandbox.faults.set({ latencyMs: 400 });
    const first = runAction(t.db, api.config, action.id);
    await waitForActionStatus(action.id, 'executing');
    const duplicate = await runAction(t.db, api.config, action.id);
    expect(duplicate).toMatchObject({ status: 'wait', reason: 'busy' });
    expect(await first).toMatchObject({ status: 'succeeded' });
    // A re-delivered job after the first finished finds the action done and calls nothing.
    expect(await runAction(t.db, api.config, action.id)).toMatchObject({
      status: 'skipped',
      reason: 'succeeded',
    });
    expect(sandbox.state.isMuting(s.sandboxUser.id, s.reply.authorId)).toBe(true);
    expect(sandbox.state.stateChanges().slice(before)).toHaveLength(1);
  });

  it('mute reads the platform first: already muted means no second call', async () => {
    const s = await scene();
    sandbox.state.mutes.set(s.sandboxUser.id, new Set([s.reply.authorId]));
    const { action } = (
      await post(s.adminA.id, `/api/comments/${s.comment.id}/actions`, { ...hideBody, kind: 'mute' })
    ).json();
    const before = sandbox.state.stateChanges().length;
    expect(await runAction(t.db, api.config, action.id)).toMatchObject({
      status: 'succeeded',
      calledPlatform: false,
    });
    expect(sandbox.state.stateChanges().length).toBe(before);
    expect((await actionRow(action.id)).platformResult).toMatchObject({ alreadyInState: true });
  });

  it('a notice is posted as a reply only after the hide succeeds', async () => {
    const s = await scene();
    const res = await post(s.adminA.id, `/api/comments/${s.comment.id}/actions`, {
      ...hideBody,
      houseRule: 'be_respectful',
    });
    const { action } = res.json();
    expect(action.noticeText).toBe(
      'We have hidden a reply because it broke our house rule “Be respectful: no abusive, offensive or harassing language”.',
    );
    expect(sandbox.state.requestsTo('POST /2/tweets')).toHaveLength(0);
    // The notice is addressed to the person: the audit entry keeps it beside the chain (where
    // retention can erase it), not in its hashed details.
    const [proposed] = await t.db
      .select({ details: auditEntries.details, personal: auditPersonalData.content })
      .from(auditEntries)
      .leftJoin(auditPersonalData, eq(auditPersonalData.seq, auditEntries.seq))
      .where(and(eq(auditEntries.subjectId, action.id), eq(auditEntries.action, 'action.proposed')));
    expect(proposed!.details).toMatchObject({ hasNotice: true });
    expect(JSON.stringify(proposed!.details)).not.toContain('We have hidden');
    expect(proposed!.personal).toEqual({ notice: action.noticeText });
    await runAction(t.db, api.config, action.id);
    const [notice] = await t.db
      .select()
      .from(moderationActions)
      .where(and(eq(moderationActions.commentId, s.comment.id), eq(moderationActions.kind, 'notice')));
    expect(notice).toMatchObject({ status: 'queued', noticeText: action.noticeText });
    expect(await runAction(t.db, api.config, notice!.id)).toMatchObject({ status: 'succeeded' });
    const replies = sandbox.state.requestsTo('POST /2/tweets');
    expect(replies).toHaveLength(1);
    expect((await actionRow(notice!.id)).platformResult).toMatchObject({ calledPlatform: true });
  });

  it('a 429 mid-action waits until the reset, then completes', async () => {
    const s = await scene();
    const { action } = (await post(s.adminA.id, `/api/comments/${s.comment.id}/actions`, hideBody)).json();
    sandbox.faults.set({ rateLimitNext: { count: 1, endpoint: 'hidden', resetInSeconds: 1 } });
    const first = await runAction(t.db, api.config, action.id);
    expect(first).toMatchObject({ status: 'wait', reason: 'rate_limited' });
    expect((await actionRow(action.id)).status).toBe('queued');
    expect(sandbox.state.isHidden(s.reply.id)).toBe(false);
    if (first.status !== 'wait') throw new Error('unreachable');
    await new Promise((r) => setTimeout(r, Math.max(0, first.until.getTime() - Date.now()) + 50));
    expect(await runAction(t.db, api.config, action.id)).toMatchObject({ status: 'succeeded' });
    expect(sandbox.state.isHidden(s.reply.id)).toBe(true);
    expect(await auditActions(t.db, action.id)).toEqual([
      'action.proposed',
      'action.approved',
      'action.queued',
      'action.executing',
      'action.queued',
      'action.executing',
      'action.succeeded',
    ]);
  });

  it("a 403 (hiding a reply in someone else's conversation) fails with X's reason; the admins are told", async () => {
    const s = await scene();
    const other = sandbox.state.ensureUser(`local_resident_${Date.now()}`);
    const theirPost = sandbox.state.createPost({ author: other.id, text: 'traffic again' });
    const foreign = sandbox.state.injectComment({
      from: 'dave_the_dad',
      inReplyTo: theirPost.id,
      text: 'sort it',
    });
    await t.db.update(comments).set({ externalId: foreign.id }).where(eq(comments.id, s.comment.id));
    const { action } = (await post(s.adminA.id, `/api/comments/${s.comment.id}/actions`, hideBody)).json();
    const result = await runAction(t.db, api.config, action.id);
    expect(result).toMatchObject({ status: 'failed' });
    const row = await actionRow(action.id);
    expect(row).toMatchObject({ status: 'failed' });
    expect(row.error).toMatch(/conversation you started/);
    await expectAuditEntry(t.db, { action: 'action.failed', subjectId: action.id });
    const told = await t.db
      .select({ userId: notifications.userId })
      .from(notifications)
      .where(and(eq(notifications.subjectId, action.id), eq(notifications.event, 'action.failed')));
    expect(told.map((r) => r.userId).sort()).toEqual([s.adminA.id, s.adminB.id].sort());
    const [comment] = await t.db.select().from(comments).where(eq(comments.id, s.comment.id));
    expect(comment!.status).toBe('open');
  });
});

describe('what X cannot do is offered as manual', () => {
  it("delete of someone else's reply and block without enterprise are manual, with X's reasons", async () => {
    const s = await scene();
    const { headers } = await signIn(t.db, s.adminA.id);
    const res = await api.app.inject({ url: `/api/comments/${s.comment.id}/actions/available`, headers });
    expect(res.statusCode).toBe(200);
    const byKind = Object.fromEntries(res.json().actions.map((a: { kind: string }) => [a.kind, a]));
    expect(byKind.hide).toMatchObject({ mode: 'platform', approval: 'one_admin' });
    expect(byKind.delete).toMatchObject({ mode: 'manual', approval: 'two_admins' });
    expect(byKind.delete.note).toMatch(/only its own posts/);
    expect(byKind.block).toMatchObject({ mode: 'manual', approval: 'two_admins' });
    expect(byKind.block.note).toMatch(/enterprise/);
    expect(byKind.report).toMatchObject({ mode: 'manual' });
  });

  it('a manual delete is proposed, confirmed by the other admin, recorded with evidence', async () => {
    const s = await scene();
    const proposed = await post(s.adminA.id, `/api/comments/${s.comment.id}/actions`, {
      kind: 'delete',
      reasonCategory: 'personal_information',
      reasonText: "names a pupil's address",
    });
    expect(proposed.statusCode).toBe(202);
    const { action } = proposed.json();
    expect(action).toMatchObject({ mode: 'manual', status: 'proposed' });
    const confirmed = await post(s.adminB.id, `/api/actions/${action.id}/confirm`);
    expect(confirmed.statusCode).toBe(200);
    expect(confirmed.json().action.status).toBe('approved');
    const recorded = await post(s.adminB.id, `/api/actions/${action.id}/record`, {
      evidenceUrl: 'https://x.com/i/report/123',
    });
    expect(recorded.statusCode).toBe(200);
    expect(recorded.json().action).toMatchObject({
      status: 'succeeded',
      evidenceUrl: 'https://x.com/i/report/123',
    });
    expect(sandbox.state.stateChanges().filter((c) => c.path.includes(s.reply.id))).toHaveLength(0);
    const [comment] = await t.db.select().from(comments).where(eq(comments.id, s.comment.id));
    expect(comment!.status).toBe('closed');
    expect(await auditActions(t.db, action.id)).toEqual([
      'action.proposed',
      'action.approved',
      'action.recorded',
      'action.succeeded',
    ]);
    // The notice approved with the delete is now queued for the platform.
    const [notice] = await t.db
      .select()
      .from(moderationActions)
      .where(and(eq(moderationActions.commentId, s.comment.id), eq(moderationActions.kind, 'notice')));
    expect(notice).toMatchObject({ status: 'queued', mode: 'platform' });
  });
});

describe('the two-admin rule', () => {
  const blockBody = {
    kind: 'block',
    reasonCategory: 'harassment',
    reasonText: 'third abusive reply this week',
  };

  it('the proposer cannot confirm; a non-admin can neither propose nor confirm', async () => {
    const s = await scene();
    expect((await post(s.comms.id, `/api/comments/${s.comment.id}/actions`, blockBody)).statusCode).toBe(403);
    expect((await post(s.comms.id, `/api/comments/${s.comment.id}/actions`, hideBody)).statusCode).toBe(403);
    const { action } = (await post(s.adminA.id, `/api/comments/${s.comment.id}/actions`, blockBody)).json();
    expect((await post(s.adminA.id, `/api/actions/${action.id}/confirm`)).statusCode).toBe(403);
    expect((await post(s.comms.id, `/api/actions/${action.id}/confirm`)).statusCode).toBe(403);
    // A senior leader without break-glass is not an admin either.
    expect((await post(s.senior.id, `/api/actions/${action.id}/confirm`)).statusCode).toBe(403);
    expect((await actionRow(action.id)).status).toBe('proposed');
    const ok = await post(s.adminB.id, `/api/actions/${action.id}/confirm`);
    expect(ok.statusCode).toBe(200);
    expect(ok.json().action).toMatchObject({ status: 'approved', confirmedBy: s.adminB.id });
    // Confirming twice is a conflict, not a second approval.
    expect((await post(s.adminB.id, `/api/actions/${action.id}/confirm`)).statusCode).toBe(409);
  });

  it('the other admin is asked to confirm', async () => {
    const s = await scene();
    const { action } = (await post(s.adminA.id, `/api/comments/${s.comment.id}/actions`, blockBody)).json();
    const told = await t.db
      .select({ userId: notifications.userId })
      .from(notifications)
      .where(and(eq(notifications.subjectId, action.id), eq(notifications.event, 'action.proposed')));
    expect(told.map((r) => r.userId)).toEqual([s.adminB.id]);
  });

  it('hide needs two admins when the account says so', async () => {
    const s = await scene({ settings: { twoAdminHide: true } });
    const res = await post(s.adminA.id, `/api/comments/${s.comment.id}/actions`, hideBody);
    expect(res.statusCode).toBe(202);
    expect(res.json().action.status).toBe('proposed');
  });

  it('an expired proposal cannot be confirmed, and the expiry is audited', async () => {
    const s = await scene();
    const { action } = (await post(s.adminA.id, `/api/comments/${s.comment.id}/actions`, blockBody)).json();
    expect(new Date(action.expiresAt).getTime() - Date.now()).toBeGreaterThan(23.9 * 3_600_000);
    await t.db
      .update(moderationActions)
      .set({ expiresAt: new Date(Date.now() - 1_000) })
      .where(eq(moderationActions.id, action.id));
    const res = await post(s.adminB.id, `/api/actions/${action.id}/confirm`);
    expect(res.statusCode).toBe(422);
    expect((await actionRow(action.id)).status).toBe('expired');
    await expectAuditEntry(t.db, { action: 'action.expired', subjectId: action.id });
  });

  it('the sweep expires proposals past their time, once', async () => {
    const s = await scene();
    const { action } = (await post(s.adminA.id, `/api/comments/${s.comment.id}/actions`, blockBody)).json();
    const later = new Date(Date.now() + 25 * 3_600_000);
    const ctx = systemContext(t.db, 'test sweep');
    expect((await expireProposals(ctx, { now: later })).expired).toBeGreaterThanOrEqual(1);
    expect((await expireProposals(ctx, { now: later })).expired).toBe(0);
    expect(await auditActions(t.db, action.id)).toEqual(['action.proposed', 'action.expired']);
  });

  it('break-glass: a senior leader confirms with a reason; audited, everyone on the account told', async () => {
    const s = await scene();
    const { action } = (await post(s.adminA.id, `/api/comments/${s.comment.id}/actions`, blockBody)).json();
    // An admin who is not a senior leader cannot break glass.
    expect(
      (await post(s.adminB.id, `/api/actions/${action.id}/confirm`, { breakGlassReason: 'x' })).statusCode,
    ).toBe(403);
    const res = await post(s.senior.id, `/api/actions/${action.id}/confirm`, {
      breakGlassReason: 'Admin B is on leave; the abuse is continuing',
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().action).toMatchObject({
      status: 'approved',
      breakGlass: true,
      confirmedBy: s.senior.id,
    });
    await expectAuditEntry(t.db, {
      action: 'action.break_glass',
      subjectId: action.id,
      actorId: s.senior.id,
      details: { reason: 'Admin B is on leave; the abuse is continuing' },
    });
    const told = await t.db
      .select({ userId: notifications.userId })
      .from(notifications)
      .where(and(eq(notifications.subjectId, action.id), eq(notifications.event, 'action.break_glass')));
    expect(told.map((r) => r.userId).sort()).toEqual([s.adminA.id, s.adminB.id].sort());
  });

  it('the other admin rejects a proposal with a reason', async () => {
    const s = await scene();
    const { action } = (await post(s.adminA.id, `/api/comments/${s.comment.id}/actions`, blockBody)).json();
    expect((await post(s.comms.id, `/api/actions/${action.id}/reject`, { reason: 'no' })).statusCode).toBe(
      403,
    );
    const res = await post(s.adminB.id, `/api/actions/${action.id}/reject`, {
      reason: 'a first offence: hide instead',
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().action.status).toBe('rejected');
    expect((await post(s.adminB.id, `/api/actions/${action.id}/confirm`)).statusCode).toBe(409);
  });
});

describe('escalation and referral (P7)', () => {
  it('an admin escalates to senior leaders and records a police referral; both audited', async () => {
    const s = await scene();
    const raised = await post(s.adminA.id, `/api/comments/${s.comment.id}/escalations`, {
      kind: 'senior_leader',
      reason: 'defamatory about a teacher',
    });
    expect(raised.statusCode).toBe(201);
    await expectAuditEntry(t.db, { action: 'escalation.raised', subjectId: raised.json().escalation.id });
    const referred = await post(s.adminA.id, `/api/comments/${s.comment.id}/escalations`, {
      kind: 'police',
      reason: 'threat of violence',
      externalReference: 'CAD-2231-17',
    });
    expect(referred.statusCode).toBe(201);
    await expectAuditEntry(t.db, {
      action: 'escalation.referred',
      subjectId: referred.json().escalation.id,
      details: { externalReference: 'CAD-2231-17' },
    });
    expect(
      (await post(s.comms.id, `/api/comments/${s.comment.id}/escalations`, { kind: 'police', reason: 'x' }))
        .statusCode,
    ).toBe(403);
  });
});

describe('the audit log', () => {
  it('stays one intact chain after every transition above', async () => {
    expect(await verifyAudit(t.db)).toMatchObject({ intact: true });
  });
});
