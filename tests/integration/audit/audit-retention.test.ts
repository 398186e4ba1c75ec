import { eq, sql } from 'drizzle-orm';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  auditPersonalData,
  comments,
  moderationActions,
  type NewComment,
  responses,
  schools,
} from '../../../db/schema/index.js';
import { applyRetention, monthsBefore } from '../../../services/audit/apply-retention.js';
import { emitAudit } from '../../../services/audit/emit-audit.js';
import { verifyAudit } from '../../../services/audit/verify-audit.js';
import type { Actor } from '../../../services/core/actor.js';
import { systemContext } from '../../../services/core/service-context.js';
import { retentionProcessor } from '../../../workers/processors/retention.js';
import type { WorkerDeps } from '../../../workers/worker-deps.js';
import { buildTestApp, type TestApp } from '../../helpers/build-test-app.js';
import { auditActions, expectAuditEntry } from '../../helpers/expect-audit-entry.js';
import {
  createAccount,
  createComment,
  createSchool,
  createTrust,
  createUser,
} from '../../helpers/factories.js';
import { type SignedIn, signIn } from '../../helpers/sign-in.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';

let t: TestDatabase;
let api: TestApp;
const as: Record<string, SignedIn> = {};
const staff: Actor = { type: 'user', id: '22222222-2222-4222-8222-222222222222', label: 'Ms Patel (comms)' };

async function commentWithAudit(schoolId: string, accountId: string, values: Partial<NewComment>) {
  const c = await createComment(t.db, { schoolId, accountId, ...values });
  await t.db.transaction((tx) =>
    emitAudit(tx, { actor: staff }, [
      {
        action: 'comment.flagged',
        schoolId,
        subject: { type: 'comment', id: c.id, label: `Comment ${c.externalId} on @school on X` },
        details: { routes: ['flag_admins'] },
        personal: { authorHandle: c.authorHandle },
      },
      {
        action: 'comment.closed',
        schoolId,
        subject: { type: 'comment', id: c.id, label: `Comment ${c.externalId} on @school on X` },
        details: { reason: 'no response needed: spam' },
        personal: { note: `Closed; @${c.authorHandle} posts this every week` },
      },
    ]),
  );
  return c;
}

let schoolA: string;
let schoolB: string;
let accountA: string;
let staffA: string;

beforeAll(async () => {
  t = await createTestDatabase();
  api = await buildTestApp(t.db);
  const trust = await createTrust(t.db);
  schoolA = (await createSchool(t.db, { trustId: trust.id })).id;
  schoolB = (await createSchool(t.db, { trustId: trust.id })).id;
  accountA = (await createAccount(t.db, { schoolId: schoolA })).id;
  for (const [name, role] of [
    ['auditor', 'auditor'],
    ['dsl', 'safeguarding_lead'],
    ['trustAdmin', 'trust_admin'],
    ['comms', 'comms'],
  ] as const) {
    const user = await createUser(t.db, { trustId: trust.id, roles: [{ schoolId: schoolA, role }] });
    as[name] = await signIn(t.db, user.id);
    if (role === 'comms') staffA = user.id;
  }
});
afterAll(async () => {
  await api.close();
  await t.drop();
});

describe('retention (P12)', () => {
  it("redacts comments older than the school's retention period: content gone, chain intact, audited", async () => {
    const now = new Date();
    await t.db.update(schools).set({ retentionMonths: 12 }).where(eq(schools.id, schoolA));
    const old = await commentWithAudit(schoolA, accountA, {
      text: 'My child was upset by what happened in class 4B',
      authorHandle: 'worried_mum',
      authorName: 'Worried Mum',
      authorExternalId: '5551',
      url: 'https://x.com/worried_mum/status/1',
      postedAt: monthsBefore(now, 13),
    });
    const recent = await commentWithAudit(schoolA, accountA, {
      text: 'Lovely assembly today',
      authorHandle: 'happy_dad',
      postedAt: monthsBefore(now, 11),
    });

    // What staff wrote to and about the person goes with the comment.
    const said = (commentId: string, kind: 'public_reply' | 'offline', words: string) =>
      t.db
        .insert(responses)
        .values({
          schoolId: schoolA,
          commentId,
          kind,
          status: 'sent',
          actorId: staffA,
          ...(kind === 'offline' ? { channel: 'phone', note: words } : { text: words }),
        })
        .returning();
    await said(old.id, 'public_reply', '@worried_mum we are so sorry, Mrs Jones; please call the office');
    await said(old.id, 'offline', 'Rang Mrs Jones on 07700 900123');
    const [keptReply] = await said(recent.id, 'public_reply', '@happy_dad thank you!');
    // Words still on their way out: a reply awaiting a senior leader, a notice queued to post.
    const [awaiting] = await t.db
      .insert(responses)
      .values({
        schoolId: schoolA,
        commentId: old.id,
        kind: 'public_reply',
        status: 'pending_approval',
        actorId: staffA,
        text: '@worried_mum Mrs Jones, we will call you about 4B',
      })
      .returning();
    const [queuedNotice] = await t.db
      .insert(moderationActions)
      .values({
        schoolId: schoolA,
        accountId: accountA,
        commentId: old.id,
        kind: 'notice',
        status: 'queued',
        reasonCategory: 'personal_data',
        noticeText: '@worried_mum please do not name pupils here',
      })
      .returning();
    const [action] = await t.db
      .insert(moderationActions)
      .values({
        schoolId: schoolA,
        accountId: accountA,
        commentId: old.id,
        targetAuthorExternalId: '5551',
        kind: 'hide',
        status: 'succeeded',
        reasonCategory: 'personal_data',
        reasonText: 'names a pupil',
        noticeText: '@worried_mum we have hidden your reply because it names a pupil',
        evidenceUrl: 'https://files.school.example/evidence/1.png',
      })
      .returning();

    const outcomes = await applyRetention(systemContext(t.db, 'retention policy'), now);
    expect(outcomes.find((o) => o.schoolId === schoolA)).toMatchObject({
      retentionMonths: 12,
      comments: 1,
      personalRecords: 2,
    });

    const [gone] = await t.db.select().from(comments).where(eq(comments.id, old.id));
    expect(gone).toMatchObject({
      text: '',
      authorHandle: '',
      authorName: '',
      authorExternalId: '',
      url: null,
    });
    expect(gone!.redactedAt).toBeInstanceOf(Date);
    const [kept] = await t.db.select().from(comments).where(eq(comments.id, recent.id));
    expect(kept).toMatchObject({
      text: 'Lovely assembly today',
      authorHandle: 'happy_dad',
      redactedAt: null,
    });

    const replies = await t.db.select().from(responses).where(eq(responses.commentId, old.id));
    expect(
      replies.map((r) => ({ kind: r.kind, text: r.text, note: r.note, status: r.status })).sort(),
    ).toEqual(
      expect.arrayContaining([
        { kind: 'public_reply', text: '', note: null, status: 'sent' },
        { kind: 'offline', text: '', note: null, status: 'sent' },
      ]),
    );
    // Not posted at all, rather than posted blank; each ending audited.
    const [withdrawn] = await t.db.select().from(responses).where(eq(responses.id, awaiting!.id));
    expect(withdrawn).toMatchObject({ status: 'rejected', text: '' });
    expect(withdrawn!.error).toMatch(/redacted/);
    const [notice] = await t.db
      .select()
      .from(moderationActions)
      .where(eq(moderationActions.id, queuedNotice!.id));
    expect(notice).toMatchObject({ status: 'failed', noticeText: null });
    await expectAuditEntry(t.db, { action: 'response.rejected', subjectId: awaiting!.id });
    await expectAuditEntry(t.db, { action: 'action.failed', subjectId: queuedNotice!.id });
    const [unchanged] = await t.db.select().from(responses).where(eq(responses.id, keptReply!.id));
    expect(unchanged!.text).toBe('@happy_dad thank you!');
    const [acted] = await t.db.select().from(moderationActions).where(eq(moderationActions.id, action!.id));
    expect(acted).toMatchObject({
      targetAuthorExternalId: null,
      noticeText: null,
      evidenceUrl: null,
      kind: 'hide',
      status: 'succeeded',
    });
    const page = await api.app.inject({
      method: 'GET',
      url: `/comments/${old.id}`,
      headers: as.comms!.headers,
    });
    expect(page.statusCode).toBe(200);
    expect(page.body).not.toContain('Mrs Jones');
    expect(page.body).not.toContain('07700');
    expect(page.body).toContain('Text redacted with the comment');

    const leftovers = await t.db.execute(
      sql`select count(*)::int as n from audit_personal_data where content::text like '%worried_mum%'`,
    );
    expect(leftovers.rows[0]).toEqual({ n: 0 });
    expect(await verifyAudit(t.db)).toMatchObject({ intact: true });

    expect(await auditActions(t.db, old.id)).toEqual([
      'comment.flagged',
      'comment.closed',
      'comment.redacted',
    ]);
    await expectAuditEntry(t.db, {
      action: 'comment.redacted',
      subjectId: old.id,
      details: { kind: 'retention', personalRecordsRedacted: 2, responsesRedacted: 3 },
    });
    await expectAuditEntry(t.db, {
      action: 'retention.redacted',
      schoolId: schoolA,
      details: { retentionMonths: 12, comments: 1 },
    });

    // The auditor reads when and why.
    const res = await api.app.inject({
      method: 'GET',
      url: `/api/audit?subjectType=comment&subjectId=${old.id}&action=comment.flagged`,
      headers: as.auditor!.headers,
    });
    const [entry] = res.json().items;
    const today = new Date().toISOString().slice(0, 10);
    expect(entry.personalData).toMatchObject({
      state: 'redacted',
      note: `redacted on ${today} under the retention policy`,
    });

    // A second run finds nothing more to do.
    const again = await applyRetention(systemContext(t.db, 'retention policy'), now);
    expect(again.every((o) => o.comments === 0)).toBe(true);
  });

  it('runs as the daily worker job', async () => {
    await t.db.update(schools).set({ retentionMonths: 24 }).where(eq(schools.id, schoolB));
    const accountB = await createAccount(t.db, { schoolId: schoolB });
    const ancient = await commentWithAudit(schoolB, accountB.id, { postedAt: monthsBefore(new Date(), 30) });
    const deps = { db: t.db, logger: pino({ level: 'silent' }) } as unknown as WorkerDeps;
    const { handler } = retentionProcessor(deps);
    expect(await handler({} as never, { jobId: 'retention', attemptsMade: 0 })).toMatchObject({
      redacted: 1,
    });
    const [row] = await t.db.select().from(comments).where(eq(comments.id, ancient.id));
    expect(row!.redactedAt).not.toBeNull();
    const redactedPersonal = await t.db
      .select()
      .from(auditPersonalData)
      .where(
        sql`${auditPersonalData.redactionReason} like 'retention policy: comments older than 24 months%'`,
      );
    expect(redactedPersonal.length).toBeGreaterThanOrEqual(2);
  });
});

describe('subject access and erasure', () => {
  it("exports everything held about one platform user in the lead's schools, and audits it", async () => {
    const first = await commentWithAudit(schoolA, accountA, {
      authorHandle: 'Angry_Parent',
      authorExternalId: '999',
      text: 'This school is a disgrace',
    });
    await commentWithAudit(schoolA, accountA, {
      authorHandle: 'angry_parent',
      authorExternalId: '999',
      text: 'Still waiting',
    });
    const accountB = await createAccount(t.db, { schoolId: schoolB });
    await commentWithAudit(schoolB, accountB.id, {
      authorHandle: 'angry_parent',
      authorExternalId: '999',
      text: 'Elsewhere',
    });

    const res = await api.app.inject({
      method: 'POST',
      url: '/api/audit/subject-access',
      headers: as.dsl!.headers,
      payload: { handle: '@angry_parent' },
    });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.schools).toEqual([schoolA]);
    expect(body.comments.map((c: { text: string }) => c.text)).toEqual([
      'This school is a disgrace',
      'Still waiting',
    ]);
    expect(
      body.auditEntries.filter((e: { subject: { id: string } }) => e.subject.id === first.id),
    ).toHaveLength(2);
    expect(JSON.stringify(body)).not.toContain('Elsewhere');
    await expectAuditEntry(t.db, {
      action: 'subject_access.exported',
      schoolId: schoolA,
      details: { comments: 2 },
    });

    const byId = await api.app.inject({
      method: 'POST',
      url: '/api/audit/subject-access',
      headers: as.trustAdmin!.headers,
      payload: { platformUserId: '999' },
    });
    expect(byId.json().comments).toHaveLength(2);
    const refused = await api.app.inject({
      method: 'POST',
      url: '/api/audit/subject-access',
      headers: as.comms!.headers,
      payload: { handle: 'angry_parent' },
    });
    expect(refused.statusCode).toBe(403);
  });

  it('erases on request through the same redaction path, audited, leaving the chain intact', async () => {
    const refused = await api.app.inject({
      method: 'POST',
      url: '/api/audit/subject-access/erase',
      headers: as.dsl!.headers,
      payload: { platformUserId: '999', reason: 'Erasure request ref 2026/14' },
    });
    expect(refused.statusCode).toBe(403);

    const res = await api.app.inject({
      method: 'POST',
      url: '/api/audit/subject-access/erase',
      headers: as.trustAdmin!.headers,
      payload: { platformUserId: '999', reason: 'Erasure request ref 2026/14' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ comments: 2, personalRecords: 4, schools: [schoolA] });
    await expectAuditEntry(t.db, {
      action: 'subject_access.erased',
      schoolId: schoolA,
      details: { reason: 'Erasure request ref 2026/14', comments: 2 },
    });
    await expectAuditEntry(t.db, { action: 'comment.redacted', details: { kind: 'erasure' } });
    expect(await verifyAudit(t.db)).toMatchObject({ intact: true });

    const after = await api.app.inject({
      method: 'POST',
      url: '/api/audit/subject-access',
      headers: as.dsl!.headers,
      payload: { platformUserId: '999' },
    });
    expect(after.json().comments).toEqual([]);
    // The other school's comment is not the trust admin's to erase here.
    const elsewhere = await t.db.select().from(comments).where(eq(comments.text, 'Elsewhere'));
    expect(elsewhere).toHaveLength(1);

    const search = await api.app.inject({
      method: 'GET',
      url: '/api/audit?action=comment.flagged',
      headers: as.auditor!.headers,
    });
    const today = new Date().toISOString().slice(0, 10);
    expect(
      search.json().items.map((e: { personalData: { note?: string } }) => e.personalData.note),
    ).toContain(`redacted on ${today} on an erasure request`);
  });
});
