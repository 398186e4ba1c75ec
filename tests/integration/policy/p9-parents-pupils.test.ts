import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../../config/load-config.js';
import {
  accountRisks,
  comments,
  escalations,
  moderationActions,
  notifications,
  parentRequests,
  schoolPeopleSettings,
} from '../../../db/schema/index.js';
import { type Sandbox, startSandbox } from '../../../sandbox/server.js';
import { sealCredentials } from '../../../services/accounts/account-credentials.js';
import { SchoolClassifierCache } from '../../../services/classification/school-classifier-cache.js';
import { pupilAuthorSignal } from '../../../services/comments/pupil-author.js';
import { systemContext } from '../../../services/core/service-context.js';
import { deadlineReport } from '../../../services/deadlines/deadline-report.js';
import { deadlineReportCsv } from '../../../services/deadlines/deadline-report-csv.js';
import { sweepDeadlines } from '../../../services/deadlines/sweep-deadlines.js';
import { pollAccount } from '../../../services/ingestion/poll-account.js';
import { processComment } from '../../../services/ingestion/process-comment.js';
import { createAdapterFactory } from '../../../services/platforms/create-adapter-factory.js';
import { createProcessingSteps } from '../../../workers/processing-steps.js';
import { buildTestApp, type TestApp } from '../../helpers/build-test-app.js';
import { expectAuditEntry } from '../../helpers/expect-audit-entry.js';
import { createAccount, createComment, createSchool, createUser } from '../../helpers/factories.js';
import { type SignedIn, signIn } from '../../helpers/sign-in.js';
import { metaTestEnv, testConfig } from '../../helpers/test-config.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';
import { clearRedisPrefix } from '../../helpers/test-redis.js';

const META_ENV = metaTestEnv('http://placeholder');
let t: TestDatabase;
let sandbox: Sandbox;
let config: Config;
let api: TestApp;

beforeAll(async () => {
  t = await createTestDatabase();
  sandbox = await startSandbox({
    port: 0,
    host: '127.0.0.1',
    meta: { app: { id: META_ENV.META_APP_ID!, secret: META_ENV.META_APP_SECRET! } },
  });
  config = testConfig(metaTestEnv(sandbox.url));
  api = await buildTestApp(t.db, { configOverrides: metaTestEnv(sandbox.url) });
});
afterAll(async () => {
  await clearRedisPrefix(api.config.redisPrefix);
  await api.close();
  await sandbox.close();
  await t.drop();
});

async function postForm(userId: string, url: string, fields: Record<string, string> = {}) {
  const session: SignedIn = await signIn(t.db, userId);
  const body = new URLSearchParams({ _csrf: session.csrfToken, ...fields });
  return api.app.inject({
    method: 'POST',
    url,
    headers: { cookie: session.headers.cookie, 'content-type': 'application/x-www-form-urlencoded' },
    payload: body.toString(),
  });
}
async function page(userId: string, url: string) {
  const { headers } = await signIn(t.db, userId);
  return api.app.inject({ method: 'GET', url, headers });
}
/** The page a form's 303 goes back to, with the message it carried. */
async function follow(userId: string, res: Awaited<ReturnType<typeof postForm>>) {
  const { headers } = await signIn(t.db, userId);
  const flash = res.cookies.find((c) => c.name === 'hm_flash');
  return api.app.inject({
    method: 'GET',
    url: res.headers.location as string,
    headers: {
      ...headers,
      cookie: `${headers.cookie}${flash ? `; hm_flash=${encodeURIComponent(flash.value)}` : ''}`,
    },
  });
}

let n = 0;
/** A school with a Facebook Page in the Graph sandbox, its admin, comms, a head and a behaviour lead. */
async function scene() {
  n += 1;
  const school = await createSchool(t.db, { name: `Brook ${n}` });
  const role = (r: 'comms' | 'senior_leader', name: string) =>
    createUser(t.db, {
      trustId: school.trustId,
      displayName: name,
      roles: [{ schoolId: school.id, role: r }],
    });
  const [admin, admin2, comms, head, behaviour] = await Promise.all([
    role('comms', 'Ada Admin'),
    role('comms', 'Ben Admin'),
    role('comms', 'Cal Comms'),
    role('senior_leader', 'Hana Head'),
    role('comms', 'Bea Behaviour'),
  ]);
  const m = sandbox.meta.state;
  const fbPage = m.createPage({ name: `Brook School ${n}`, admins: [`Head ${n}`] });
  const token = m.issuePageToken(fbPage.id).token;
  const account = await createAccount(t.db, {
    schoolId: school.id,
    platform: 'facebook',
    platformUserId: fbPage.id,
    handle: fbPage.name,
    credentialsEncrypted: sealCredentials(config.encryptionKey, { accessToken: token }),
    adminIds: [admin.id, admin2.id],
  });
  const post = m.createPost({ page: fbPage.id, message: 'Sports day' });
  async function incoming(from: string, message: string) {
    const c = m.addComment({ on: post.id, from, message });
    const row = await createComment(t.db, {
      schoolId: school.id,
      accountId: account.id,
      externalId: c.id,
      text: message,
      deadlineAt: new Date(Date.now() + 86_400_000),
      categories: ['offensive'],
    });
    return { sandboxId: c.id, row };
  }
  return { school, account, admin, comms, head, behaviour, incoming };
}

const pollDeps = () => ({
  encryptionKey: config.encryptionKey,
  adapterFor: createAdapterFactory(config),
  onInserted: async () => {},
});

describe('P9: a parent is asked to remove the comment and invited to talk, tracked until removed', () => {
  it('marks a parent (audited), asks privately where Facebook allows, reads the removal back on poll', async () => {
    const s = await scene();
    const { sandboxId, row } = await s.incoming(
      'Pat Parent',
      'This school is a joke and the head is useless',
    );

    // Not marked yet: the parent path is refused, saying why.
    const early = await postForm(s.admin.id, `/comments/${row.id}/parent-request`, { contact: 'private' });
    expect(early.statusCode).toBe(422);
    expect(early.body).toContain('Mark the author as a parent or carer first');

    const marked = await postForm(s.comms.id, `/comments/${row.id}/author/mark`, {
      kind: 'parent',
      note: 'Year 4 parent',
    });
    expect(marked.statusCode).toBe(303);
    await expectAuditEntry(t.db, { action: 'comment.author_marked', subjectId: row.id, actorId: s.comms.id });

    const shown = await page(s.admin.id, `/comments/${row.id}`);
    expect(shown.body).toContain('Marked as a parent or carer by Cal Comms');
    expect(shown.body).toContain('Facebook lets a Page send one private reply to a comment, in Messenger');

    const asked = await postForm(s.admin.id, `/comments/${row.id}/parent-request`, { contact: 'private' });
    expect(asked.statusCode, asked.body).toBe(303);
    const [request] = await t.db.select().from(parentRequests).where(eq(parentRequests.commentId, row.id));
    expect(request).toMatchObject({ state: 'awaiting', contact: 'private', noticeActionId: null });
    await expectAuditEntry(t.db, { action: 'comment.parent_asked', subjectId: row.id });
    // Asked twice: refused.
    expect(
      (await postForm(s.admin.id, `/comments/${row.id}/parent-request`, { contact: 'public' })).statusCode,
    ).toBe(409);

    const list = await page(s.comms.id, '/parent-requests');
    expect(list.body).toContain('Awaiting removal');
    expect(list.body).toContain('1 awaiting removal');

    // Still up: a poll leaves it awaiting, checked.
    await pollAccount(systemContext(t.db, 'poll'), { accountId: s.account.id }, pollDeps());
    const [still] = await t.db.select().from(parentRequests).where(eq(parentRequests.id, request!.id));
    expect(still!.state).toBe('awaiting');
    expect(still!.checkedAt).not.toBeNull();

    // The parent removes it on Facebook: the next poll reads it back.
    sandbox.meta.state.deleteComment(sandboxId);
    await pollAccount(systemContext(t.db, 'poll'), { accountId: s.account.id }, pollDeps());
    const [gone] = await t.db.select().from(parentRequests).where(eq(parentRequests.id, request!.id));
    expect(gone!.state).toBe('removed');
    await expectAuditEntry(t.db, { action: 'comment.parent_removed', subjectId: row.id });
    const told = await t.db
      .select()
      .from(notifications)
      .where(and(eq(notifications.userId, s.admin.id), eq(notifications.event, 'parent_request.removed')));
    expect(told).toHaveLength(1);
    expect((await page(s.comms.id, '/parent-requests')).body).toContain('Removed by the parent');
  });

  it('asks publicly with the complaints procedure, never once the comment is hidden; escalates from the list', async () => {
    const s = await scene();
    const { row } = await s.incoming('Pip Parent', 'Rubbish teachers, all of them');
    await postForm(s.comms.id, `/comments/${row.id}/author/mark`, { kind: 'parent' });
    const asked = await postForm(s.admin.id, `/comments/${row.id}/parent-request`, { contact: 'public' });
    expect(asked.statusCode, asked.body).toBe(303);
    const [request] = await t.db.select().from(parentRequests).where(eq(parentRequests.commentId, row.id));
    const [notice] = await t.db
      .select()
      .from(moderationActions)
      .where(eq(moderationActions.id, request!.noticeActionId!));
    expect(notice!.kind).toBe('notice');
    expect(notice!.noticeText).toContain('We would ask you to remove this comment.');
    expect(notice!.noticeText).toContain('complaints procedure');

    const esc = await postForm(s.head.id, `/parent-requests/${request!.id}/escalate`, {
      reason: 'Still up after a week',
    });
    expect(esc.statusCode).toBe(303);
    const [after] = await t.db.select().from(parentRequests).where(eq(parentRequests.id, request!.id));
    expect(after!.state).toBe('escalated');
    const [raised] = await t.db.select().from(escalations).where(eq(escalations.id, after!.escalationId!));
    expect(raised).toMatchObject({ kind: 'senior_leader', commentId: row.id });
    await expectAuditEntry(t.db, { action: 'comment.parent_escalated', subjectId: row.id });
    // Escalated again (two people on the list at once): said plainly on the list, not a 409 page.
    const again = await postForm(s.head.id, `/parent-requests/${request!.id}/escalate`, {
      reason: 'Still up',
    });
    expect(again.statusCode).toBe(303);
    expect(again.headers.location).toBe('/parent-requests');
    expect((await follow(s.head.id, again)).body).toContain('Not done. This request is already escalated.');

    // Another parent's comment, already hidden: the request would mislead, so it is refused.
    const hidden = await s.incoming('Pam Parent', 'Disgraceful school');
    await postForm(s.comms.id, `/comments/${hidden.row.id}/author/mark`, { kind: 'parent' });
    await t.db.insert(moderationActions).values({
      schoolId: s.school.id,
      accountId: s.account.id,
      commentId: hidden.row.id,
      kind: 'hide',
      mode: 'platform',
      status: 'succeeded',
      reasonCategory: 'offensive',
      reasonText: 'abuse',
      proposedBy: s.admin.id,
      confirmedBy: s.admin.id,
    });
    const refused = await postForm(s.admin.id, `/comments/${hidden.row.id}/parent-request`, {
      contact: 'public',
    });
    expect(refused.statusCode).toBe(422);
    expect(refused.body).toContain('already hidden or removed');
  });

  it('an unmark needs a reason and is audited; then the parent path is closed again', async () => {
    const s = await scene();
    const { row } = await s.incoming('Pete', 'Awful');
    await postForm(s.comms.id, `/comments/${row.id}/author/mark`, { kind: 'parent' });
    const noReason = await postForm(s.comms.id, `/comments/${row.id}/author/unmark`, {
      kind: 'parent',
      reason: '',
    });
    expect(noReason.statusCode).toBe(400);
    const undone = await postForm(s.comms.id, `/comments/${row.id}/author/unmark`, {
      kind: 'parent',
      reason: 'Wrong person: a grandparent we do not know',
    });
    expect(undone.statusCode).toBe(303);
    await expectAuditEntry(t.db, { action: 'comment.author_unmarked', subjectId: row.id });
    expect(
      (await postForm(s.admin.id, `/comments/${row.id}/parent-request`, { contact: 'public' })).statusCode,
    ).toBe(422);
  });
});

describe('002 §5 Pupils: a pupil is not engaged with; the behaviour lead has it', () => {
  it('reads a pupil writing, not a parent writing about their child', () => {
    expect(pupilAuthorSignal("I'm in year 6 and my teacher is unfair")).toBe("I'm in year 6");
    expect(pupilAuthorSignal('Got a detention for nothing')).toBe('Got a detention');
    expect(pupilAuthorSignal('My son is in year 6 and his teacher is unfair')).toBeNull();
    expect(pupilAuthorSignal('Lovely sports day, well done everyone')).toBeNull();
  });

  it('routes on arrival to the named behaviour lead; the reply box refuses, a senior leader overrides (audited)', async () => {
    const s = await scene();
    const set = await postForm(s.head.id, `/schools/${s.school.id}/settings/behaviour-lead`, {
      userId: s.behaviour.id,
    });
    expect(set.statusCode).toBe(303);
    const [settings] = await t.db
      .select()
      .from(schoolPeopleSettings)
      .where(eq(schoolPeopleSettings.schoolId, s.school.id));
    expect(settings!.behaviourLeadId).toBe(s.behaviour.id);

    const { row } = await s.incoming('kid_123', 'im in year 8 and my teacher gave me detention lol');
    await processComment(
      systemContext(t.db, 'process'),
      { commentId: row.id },
      createProcessingSteps({
        classifiers: new SchoolClassifierCache(api.config.encryptionKey),
      }),
    );
    const routed = await t.db
      .select()
      .from(notifications)
      .where(and(eq(notifications.event, 'comment.pupil'), eq(notifications.subjectId, row.id)));
    expect(routed.map((r) => r.userId)).toEqual([s.behaviour.id]);
    await expectAuditEntry(t.db, { action: 'comment.pupil_routed', subjectId: row.id });

    const shown = await page(s.comms.id, `/comments/${row.id}`);
    expect(shown.body).toContain('This comment appears to come from a pupil');
    expect(shown.body).toContain('the behaviour lead, Bea Behaviour');

    const refused = await postForm(s.comms.id, `/comments/${row.id}/reply`, {
      kind: 'public_reply',
      text: 'Please talk to us',
    });
    expect(refused.statusCode).toBe(422);
    expect(refused.body).toContain('The school does not reply to pupils on its accounts');
    // Comms cannot override; a senior leader can, with a reason, audited.
    const commsOverride = await postForm(s.comms.id, `/comments/${row.id}/reply`, {
      kind: 'private_reply',
      text: 'Please talk to us',
      pupilOverrideReason: 'I think it is fine',
    });
    expect(commsOverride.statusCode).toBe(403);
    const headOverride = await postForm(s.head.id, `/comments/${row.id}/reply`, {
      kind: 'private_reply',
      text: 'Please come and see Mrs Jones tomorrow.',
      pupilOverrideReason: 'A safeguarding follow-up agreed with the DSL',
    });
    expect(headOverride.statusCode, headOverride.body).toBe(303);
    await expectAuditEntry(t.db, { action: 'response.pupil_override', actorId: s.head.id });
  });

  it('a staff mark routes it too; with no behaviour lead named, the senior leaders are told', async () => {
    const s = await scene();
    const { row } = await s.incoming('sam', 'This place is rubbish');
    await postForm(s.comms.id, `/comments/${row.id}/author/mark`, { kind: 'pupil' });
    const routed = await t.db
      .select()
      .from(notifications)
      .where(and(eq(notifications.event, 'comment.pupil'), eq(notifications.subjectId, row.id)));
    expect(routed.map((r) => r.userId)).toEqual([s.head.id]);
    const refused = await postForm(s.admin.id, `/comments/${row.id}/reply`, {
      kind: 'public_reply',
      text: 'Hello',
    });
    expect(refused.statusCode).toBe(422);
    expect(refused.body).toContain('staff marked its author as a pupil');
  });
});

describe('Overdue follow-ups, overdue at-risk accounts, and the flag target in the reports', () => {
  it('a follow-up past its target tells the assignee once; nobody assigned, the senior leaders', async () => {
    const s = await scene();
    const past = new Date(Date.now() - 3_600_000);
    const assigned = await createComment(t.db, {
      schoolId: s.school.id,
      accountId: s.account.id,
      text: 'When is it?',
    });
    const unassigned = await createComment(t.db, {
      schoolId: s.school.id,
      accountId: s.account.id,
      text: 'And?',
    });
    await t.db
      .update(comments)
      .set({ followUpDueAt: past, assigneeId: s.comms.id, status: 'responded' })
      .where(eq(comments.id, assigned.id));
    await t.db
      .update(comments)
      .set({ followUpDueAt: past, status: 'responded' })
      .where(eq(comments.id, unassigned.id));
    await sweepDeadlines(systemContext(t.db, 'sweep'));
    await sweepDeadlines(systemContext(t.db, 'sweep'));
    const told = await t.db
      .select()
      .from(notifications)
      .where(eq(notifications.event, 'comment.follow_up_overdue'));
    expect(told.filter((r) => r.subjectId === assigned.id).map((r) => r.userId)).toEqual([s.comms.id]);
    expect(told.filter((r) => r.subjectId === unassigned.id).map((r) => r.userId)).toEqual([s.head.id]);
    await expectAuditEntry(t.db, { action: 'comment.follow_up_overdue', subjectId: assigned.id });
  });

  it('an account at risk past its replacement deadline re-notifies the senior leaders once', async () => {
    const s = await scene();
    await t.db.insert(accountRisks).values({
      accountId: s.account.id,
      schoolId: s.school.id,
      reasons: ['too_few_admins'],
      since: new Date(Date.now() - 6 * 86_400_000),
      dueAt: new Date(Date.now() - 86_400_000),
    });
    await sweepDeadlines(systemContext(t.db, 'sweep'));
    await sweepDeadlines(systemContext(t.db, 'sweep'));
    const told = await t.db
      .select()
      .from(notifications)
      .where(and(eq(notifications.event, 'account.risk_overdue'), eq(notifications.subjectId, s.account.id)));
    expect(told.map((r) => r.userId)).toEqual([s.head.id]);
    expect(told[0]!.title).toContain('past its replacement deadline');
    await expectAuditEntry(t.db, { action: 'account.risk_overdue', subjectId: s.account.id });
  });

  it('the deadline report and its CSV show the offensive-flag target and how it was met', async () => {
    const s = await scene();
    const handled = await s.incoming('A', 'idiots');
    const late = await s.incoming('B', 'morons');
    const flaggedAt = new Date(Date.now() - 10 * 3_600_000);
    await t.db
      .update(comments)
      .set({ processedAt: flaggedAt, ingestedAt: flaggedAt })
      .where(eq(comments.id, late.row.id));
    await t.db
      .update(comments)
      .set({ resolvedAt: new Date(Date.now() + 60_000) })
      .where(eq(comments.id, handled.row.id));
    const day = new Date().toISOString().slice(0, 10);
    const from = new Date(Date.now() - 2 * 86_400_000).toISOString().slice(0, 10);
    const report = await deadlineReport(systemContext(t.db, 'r'), s.school.id, { from, to: day });
    expect(report.offensiveFlags).toMatchObject({
      targetMinutes: 60,
      flagged: 2,
      handled: 1,
      handledInTime: 1,
    });
    const csv = deadlineReportCsv(report);
    expect(csv).toContain('offensive_flags');
    expect(csv).toContain('Offensive flags, handled within 60 working minutes');
    const shown = await page(s.head.id, `/deadlines?schoolId=${s.school.id}&from=${from}&to=${day}`);
    expect(shown.body).toContain('of offensive flags handled within the target of');
    expect(shown.body).toContain('1 working hour');
  });
});
