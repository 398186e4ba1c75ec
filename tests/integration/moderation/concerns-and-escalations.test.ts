import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  comments,
  escalations,
  notificationDeliveries,
  notifications,
  type SchoolRole,
  type StoredLabel,
} from '../../../db/schema/index.js';
import { verifyAudit } from '../../../services/audit/verify-audit.js';
import { routingStep } from '../../../services/classification/routing-step.js';
import { systemContext } from '../../../services/core/service-context.js';
import { processComment } from '../../../services/ingestion/process-comment.js';
import { buildTestApp, type TestApp } from '../../helpers/build-test-app.js';
import { expectAuditEntry } from '../../helpers/expect-audit-entry.js';
import {
  createAccount,
  createComment,
  createSchool,
  createTrust,
  createUser,
} from '../../helpers/factories.js';
import { signIn } from '../../helpers/sign-in.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';
import { clearRedisPrefix } from '../../helpers/test-redis.js';

let t: TestDatabase;
let api: TestApp;

beforeAll(async () => {
  t = await createTestDatabase();
  api = await buildTestApp(t.db);
});
afterAll(async () => {
  await clearRedisPrefix(api.config.redisPrefix);
  await api.close();
  await t.drop();
});

const label = (category: string, subcategory: string, severity: StoredLabel['severity']): StoredLabel => ({
  category,
  subcategory,
  severity,
  spans: [],
  source: 'lexicon',
});

let n = 0;
/** A school with one person per role, an account and a comment the classifier found nothing in. */
async function school(options: { withDsl?: boolean; trustId?: string } = {}) {
  n += 1;
  const s = await createSchool(t.db, {
    name: `Oakfield ${n}`,
    ...(options.trustId ? { trustId: options.trustId } : {}),
  });
  const person = (role: SchoolRole, displayName: string) =>
    createUser(t.db, { trustId: s.trustId, displayName, roles: [{ schoolId: s.id, role }] });
  const comms = await person('comms', `Comms ${n}`);
  const admin = await person('comms', `Admin ${n}`);
  const head = await person('senior_leader', `Head ${n}`);
  const deputy = await person('senior_leader', `Deputy ${n}`);
  const dsl = options.withDsl === false ? null : await person('safeguarding_lead', `DSL ${n}`);
  const auditor = await person('auditor', `Auditor ${n}`);
  const trustAdmin = await person('trust_admin', `Trust admin ${n}`);
  const account = await createAccount(t.db, {
    schoolId: s.id,
    handle: `oakfield_${n}`,
    status: 'active',
    adminIds: [admin.id, comms.id],
  });
  const comment = await createComment(t.db, {
    schoolId: s.id,
    accountId: account.id,
    text: 'my friend in year 5 says she does not want to go home',
  });
  return { school: s, comms, admin, head, deputy, dsl, auditor, trustAdmin, account, comment };
}

async function call(userId: string, method: 'GET' | 'POST', url: string, payload?: object) {
  const { headers } = await signIn(t.db, userId);
  return api.app.inject({ method, url, headers, ...(payload ? { payload } : {}) });
}

async function notificationsOf(userId: string) {
  return t.db.select().from(notifications).where(eq(notifications.userId, userId));
}

describe('raising a safeguarding concern by hand', () => {
  it('reaches the safeguarding lead at once, exactly as a classified concern does, and is audited', async () => {
    const s = await school();
    const res = await call(s.comms.id, 'POST', `/api/comments/${s.comment.id}/concerns`, {
      kind: 'safeguarding',
      note: 'Sounds like a child at risk at home',
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({
      escalation: { kind: 'safeguarding', status: 'open' },
      notified: 1,
      sentTo: 'safeguarding_leads',
    });
    const id = res.json().escalation.id;
    const [row] = await t.db.select().from(escalations).where(eq(escalations.id, id));
    expect(row).toMatchObject({
      kind: 'safeguarding',
      status: 'open',
      raisedBy: s.comms.id,
      reason: 'Sounds like a child at risk at home',
      commentId: s.comment.id,
    });
    await expectAuditEntry(t.db, {
      action: 'escalation.raised',
      subjectId: id,
      actorId: s.comms.id,
      details: { kind: 'safeguarding', raisedByHand: true, commentId: s.comment.id },
    });

    // The same comment classified as safeguarding at a twin school: the same kind of record.
    const twin = await school();
    await t.db
      .update(comments)
      .set({ labels: [label('safeguarding', 'abuse_disclosure', 'high')] })
      .where(eq(comments.id, twin.comment.id));
    await processComment(systemContext(t.db, 'test'), { commentId: twin.comment.id }, [routingStep()]);

    const [byHand] = await notificationsOf(s.dsl!.id);
    const [classified] = await notificationsOf(twin.dsl!.id);
    for (const field of ['event', 'urgency', 'subjectType', 'readAt'] as const) {
      expect(byHand![field], field).toEqual(classified![field]);
    }
    expect(byHand).toMatchObject({ event: 'escalation.safeguarding', urgency: 'urgent', readAt: null });
    expect(byHand!.link).toBe(`/comments/${s.comment.id}`);
    expect(byHand!.title).toBe(`Safeguarding concern on @${s.account.handle} on X (${s.school.name})`);
    expect(classified!.title).toBe(
      `Safeguarding concern on @${twin.account.handle} on X (${twin.school.name})`,
    );
    expect(byHand!.body).toBe(
      `Safeguarding concern raised by hand by ${s.comms.displayName}. Review it now.`,
    );
    // Never the comment's words in what is emailed.
    expect(byHand!.body).not.toContain('year 5');
    const mail = await t.db
      .select()
      .from(notificationDeliveries)
      .where(eq(notificationDeliveries.notificationId, byHand!.id));
    const twinMail = await t.db
      .select()
      .from(notificationDeliveries)
      .where(eq(notificationDeliveries.notificationId, classified!.id));
    expect(mail.map((d) => [d.channel, d.status])).toEqual(twinMail.map((d) => [d.channel, d.status]));
    expect(mail.map((d) => d.status)).toEqual(['pending']);

    // The safeguarding lead sees it on their page, with the note and who raised it.
    const page = await call(s.dsl!.id, 'GET', '/safeguarding');
    expect(page.body).toContain('Sounds like a child at risk at home');
    // Nobody else at the school was told; the raiser is not told of their own concern.
    expect(await notificationsOf(s.comms.id)).toEqual([]);
    expect(await notificationsOf(s.head.id)).toEqual([]);
    expect((await verifyAudit(t.db)).intact).toBe(true);
  });

  it('every staff role may raise one; the auditor may not', async () => {
    const s = await school();
    for (const who of [s.comms, s.admin, s.head, s.dsl!, s.trustAdmin]) {
      const res = await call(who.id, 'POST', `/api/comments/${s.comment.id}/concerns`, {
        kind: 'safeguarding',
        note: `worried (${who.displayName})`,
      });
      expect(res.statusCode, `${who.displayName}: ${res.body}`).toBe(201);
    }
    const refused = await call(s.auditor.id, 'POST', `/api/comments/${s.comment.id}/concerns`, {
      kind: 'safeguarding',
      note: 'worried',
    });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().message).toMatch(/raise a concern/);
  });

  it("another school's comment and another trust's admin are refused as not found", async () => {
    const s = await school();
    const other = await school({ trustId: s.school.trustId });
    const trust = await createTrust(t.db);
    const elsewhere = await school({ trustId: trust.id });
    for (const who of [other.comms, other.trustAdmin, elsewhere.trustAdmin]) {
      const res = await call(who.id, 'POST', `/api/comments/${s.comment.id}/concerns`, {
        kind: 'safeguarding',
        note: 'worried',
      });
      expect(res.statusCode).toBe(404);
    }
    expect(await t.db.select().from(escalations).where(eq(escalations.commentId, s.comment.id))).toEqual([]);
  });

  it('refuses bad input with a 400 that names what was wrong', async () => {
    const s = await school();
    const url = `/api/comments/${s.comment.id}/concerns`;
    const noNote = await call(s.comms.id, 'POST', url, { kind: 'safeguarding', note: '   ' });
    expect(noNote.statusCode).toBe(400);
    expect(noNote.json().message).toMatch(/note/);
    const badKind = await call(s.comms.id, 'POST', url, { kind: 'police', note: 'x' });
    expect(badKind.statusCode).toBe(400);
    expect(badKind.json().message).toMatch(/kind/);
    const long = await call(s.comms.id, 'POST', url, { kind: 'misuse', note: 'x'.repeat(4_001) });
    expect(long.statusCode).toBe(400);
    const notAnId = await call(s.comms.id, 'POST', '/api/comments/not-an-id/concerns', {
      kind: 'misuse',
      note: 'x',
    });
    expect(notAnId.statusCode).toBe(400);
  });

  it('the only safeguarding lead raising one is not redirected to senior leaders', async () => {
    const s = await school();
    const res = await call(s.dsl!.id, 'POST', `/api/comments/${s.comment.id}/concerns`, {
      kind: 'safeguarding',
      note: 'I will deal with this myself',
    });
    expect(res.json()).toMatchObject({ notified: 0, sentTo: 'safeguarding_leads' });
    expect(await notificationsOf(s.head.id)).toEqual([]);
  });

  it('at a school with no safeguarding lead, the senior leaders are told and the raiser hears so', async () => {
    const s = await school({ withDsl: false });
    const res = await call(s.comms.id, 'POST', `/api/comments/${s.comment.id}/concerns`, {
      kind: 'safeguarding',
      note: 'worried',
    });
    expect(res.json()).toMatchObject({ notified: 2, sentTo: 'senior_leaders' });
    const [told] = await notificationsOf(s.head.id);
    expect(told).toMatchObject({ event: 'escalation.safeguarding', urgency: 'urgent' });
    expect(told!.body).toMatch(/no safeguarding lead/);
  });
});

describe('reporting misuse to a senior leader', () => {
  it('any member of staff reports it; the senior leaders are told and it joins their queue', async () => {
    const s = await school();
    const res = await call(s.comms.id, 'POST', `/api/comments/${s.comment.id}/concerns`, {
      kind: 'misuse',
      note: 'A parent is harassing a teacher by name',
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({
      escalation: { kind: 'senior_leader' },
      notified: 2,
      sentTo: 'senior_leaders',
    });
    const [told] = await notificationsOf(s.deputy.id);
    expect(told).toMatchObject({
      event: 'escalation.raised',
      urgency: 'urgent',
      link: `/comments/${s.comment.id}`,
    });
    expect(told!.body).toContain('A parent is harassing a teacher by name');
    await expectAuditEntry(t.db, {
      action: 'escalation.raised',
      subjectId: res.json().escalation.id,
      details: { kind: 'senior_leader', raisedByHand: true, misuse: true },
    });
    const queue = await call(s.head.id, 'GET', '/api/escalations');
    expect(queue.json().open.map((e: { id: string }) => e.id)).toContain(res.json().escalation.id);
    expect(queue.json().open[0]).toMatchObject({
      kind: 'senior_leader',
      reason: 'A parent is harassing a teacher by name',
      raisedByName: s.comms.displayName,
    });
    // The safeguarding lead's page is not where misuse goes.
    expect(await notificationsOf(s.dsl!.id)).toEqual([]);
  });
});

describe('the escalations queue', () => {
  async function raise(
    s: Awaited<ReturnType<typeof school>>,
    kind: 'senior_leader' | 'police' | 'platform_report',
    reason: string,
  ) {
    const res = await call(s.admin.id, 'POST', `/api/comments/${s.comment.id}/escalations`, { kind, reason });
    expect(res.statusCode, res.body).toBe(201);
    return res.json().escalation.id as string;
  }

  it('lists senior-leader, police, platform-report and media escalations most severe first; never safeguarding', async () => {
    const s = await school();
    const severe = await createComment(t.db, {
      schoolId: s.school.id,
      accountId: s.account.id,
      text: 'threat',
      labels: [label('offensive', 'threat', 'high')],
    });
    const [media] = await t.db
      .insert(escalations)
      .values({ schoolId: s.school.id, commentId: s.comment.id, kind: 'media', reason: 'Media enquiry' })
      .returning();
    const platformReport = await raise(s, 'platform_report', 'Reported to X');
    const leader = await raise(s, 'senior_leader', 'Rude about staff');
    const onSevere = await call(s.admin.id, 'POST', `/api/comments/${severe.id}/escalations`, {
      kind: 'senior_leader',
      reason: 'Threatens a teacher',
    });
    const police = await raise(s, 'police', 'Referred: threat');
    await call(s.comms.id, 'POST', `/api/comments/${s.comment.id}/concerns`, {
      kind: 'safeguarding',
      note: 'x',
    });

    const res = await call(s.head.id, 'GET', '/api/escalations');
    expect(res.statusCode).toBe(200);
    const ids = res.json().open.map((e: { id: string }) => e.id);
    // High first (a police referral is high whatever the comment), the gravest kind within a severity.
    expect(ids).toEqual([police, onSevere.json().escalation.id, leader, platformReport, media!.id]);
    expect(res.json().open.map((e: { kind: string }) => e.kind)).not.toContain('safeguarding');
    expect(res.json().canResolveAt).toEqual([s.school.id]);
  });

  it('acknowledge, then close only with a note; the auditor reads it and changes nothing', async () => {
    const s = await school();
    const id = await raise(s, 'senior_leader', 'Rude about staff');

    const auditorView = await call(s.auditor.id, 'GET', '/api/escalations');
    expect(auditorView.statusCode).toBe(200);
    expect(auditorView.json()).toMatchObject({ canResolveAt: [] });
    expect(auditorView.json().open.map((e: { id: string }) => e.id)).toEqual([id]);
    expect((await call(s.auditor.id, 'POST', `/api/escalations/${id}/acknowledge`, {})).statusCode).toBe(403);
    expect((await call(s.comms.id, 'GET', '/api/escalations')).statusCode).toBe(403);
    expect((await call(s.dsl!.id, 'POST', `/api/escalations/${id}/close`, { note: 'x' })).statusCode).toBe(
      403,
    );

    const ack = await call(s.head.id, 'POST', `/api/escalations/${id}/acknowledge`, {});
    expect(ack.statusCode, ack.body).toBe(200);
    expect(ack.json()).toMatchObject({ escalation: { status: 'acknowledged' } });
    const again = await call(s.deputy.id, 'POST', `/api/escalations/${id}/acknowledge`, {});
    expect(again.statusCode).toBe(409);
    expect(again.json().message).toMatch(/already acknowledged/);

    const noNote = await call(s.head.id, 'POST', `/api/escalations/${id}/close`, { note: '  ' });
    expect(noNote.statusCode).toBe(400);
    expect(noNote.json().message).toMatch(/note saying what was done/);
    const missing = await call(s.head.id, 'POST', `/api/escalations/${id}/close`, {});
    expect(missing.statusCode).toBe(400);

    const closed = await call(s.deputy.id, 'POST', `/api/escalations/${id}/close`, {
      note: 'Called the parent; they removed the post',
    });
    expect(closed.statusCode, closed.body).toBe(200);
    const queue = (await call(s.head.id, 'GET', '/api/escalations')).json();
    expect(queue.open).toEqual([]);
    expect(queue.recentlyClosed[0]).toMatchObject({
      id,
      status: 'closed',
      closingNote: 'Called the parent; they removed the post',
      closedByName: s.deputy.displayName,
      acknowledgedByName: s.head.displayName,
    });
    await expectAuditEntry(t.db, {
      action: 'escalation.closed',
      subjectId: id,
      actorId: s.deputy.id,
      details: { from: 'acknowledged', to: 'closed', note: 'Called the parent; they removed the post' },
    });
    expect(
      (await call(s.head.id, 'POST', `/api/escalations/${id}/close`, { note: 'again' })).statusCode,
    ).toBe(409);
  });

  it("another school's senior leader and another trust's admin cannot see or touch it", async () => {
    const s = await school();
    const id = await raise(s, 'police', 'Referred');
    const other = await school({ trustId: s.school.trustId });
    const trust = await createTrust(t.db);
    const elsewhere = await school({ trustId: trust.id });
    for (const who of [other.head, elsewhere.head]) {
      const list = await call(who.id, 'GET', '/api/escalations');
      expect(list.json().open.map((e: { id: string }) => e.id)).not.toContain(id);
      expect((await call(who.id, 'POST', `/api/escalations/${id}/acknowledge`, {})).statusCode).toBe(404);
      expect((await call(who.id, 'POST', `/api/escalations/${id}/close`, { note: 'x' })).statusCode).toBe(
        404,
      );
    }
    expect((await call(elsewhere.trustAdmin.id, 'GET', '/api/escalations')).statusCode).toBe(403);
    const [row] = await t.db
      .select()
      .from(escalations)
      .where(and(eq(escalations.id, id)));
    expect(row!.status).toBe('open');
  });

  it('is counted in the deadline report: raised, by hand, closed, open now', async () => {
    const s = await school();
    const a = await raise(s, 'senior_leader', 'Rude');
    await raise(s, 'police', 'Referred');
    await call(s.comms.id, 'POST', `/api/comments/${s.comment.id}/concerns`, { kind: 'misuse', note: 'x' });
    await call(s.comms.id, 'POST', `/api/comments/${s.comment.id}/concerns`, {
      kind: 'safeguarding',
      note: 'x',
    });
    await call(s.head.id, 'POST', `/api/escalations/${a}/close`, { note: 'Dealt with' });
    const today = new Date().toISOString().slice(0, 10);
    const res = await call(
      s.head.id,
      'GET',
      `/api/schools/${s.school.id}/reports/deadlines?from=${today}&to=${today}`,
    );
    expect(res.statusCode, res.body).toBe(200);
    const byKind = Object.fromEntries(res.json().escalations.map((e: { kind: string }) => [e.kind, e]));
    expect(byKind.senior_leader).toMatchObject({ raised: 2, raisedByHand: 2, closed: 1, openNow: 1 });
    expect(byKind.police).toMatchObject({ raised: 1, closed: 0, openNow: 1 });
    expect(byKind.safeguarding).toMatchObject({ raised: 1, raisedByHand: 1, openNow: 1 });
    expect(byKind.media).toMatchObject({ raised: 0, openNow: 0 });
  });
});
