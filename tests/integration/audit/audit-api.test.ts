import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditSigner } from '../../../services/audit/audit-signing.js';
import { emitAudit } from '../../../services/audit/emit-audit.js';
import { verifyExport } from '../../../services/audit/verify-export.js';
import type { Actor } from '../../../services/core/actor.js';
import { generateAuditKey } from '../../helpers/audit-fixtures.js';
import { buildTestApp, type TestApp } from '../../helpers/build-test-app.js';
import { expectAuditEntry } from '../../helpers/expect-audit-entry.js';
import { createSchool, createTrust, createUser } from '../../helpers/factories.js';
import { type SignedIn, signIn } from '../../helpers/sign-in.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';

let t: TestDatabase;
let api: TestApp;
const key = generateAuditKey();
let schoolA: string;
let schoolB: string;
const as: Record<string, SignedIn> = {};

const actor: Actor = {
  type: 'user',
  id: '11111111-1111-4111-8111-111111111111',
  label: 'Mr Adeyemi (admin)',
};

beforeAll(async () => {
  t = await createTestDatabase();
  api = await buildTestApp(t.db, { configOverrides: { AUDIT_SIGNING_KEY: key } });
  const trust = await createTrust(t.db);
  schoolA = (await createSchool(t.db, { trustId: trust.id, name: 'Hillside Primary' })).id;
  schoolB = (await createSchool(t.db, { trustId: trust.id, name: 'Riverside Academy' })).id;
  const roles = {
    auditor: [{ schoolId: schoolA, role: 'auditor' as const }],
    leader: [{ schoolId: schoolA, role: 'senior_leader' as const }],
    comms: [{ schoolId: schoolA, role: 'comms' as const }],
    trustAdmin: [{ schoolId: schoolA, role: 'trust_admin' as const }],
    auditorB: [{ schoolId: schoolB, role: 'auditor' as const }],
  };
  for (const [name, r] of Object.entries(roles)) {
    const user = await createUser(t.db, { trustId: trust.id, roles: r });
    as[name] = await signIn(t.db, user.id);
  }
  await t.db.transaction((tx) =>
    emitAudit(tx, { actor }, [
      {
        action: 'action.proposed',
        schoolId: schoolA,
        subject: { type: 'action', id: 'a-1', label: 'Delete comment 1893 on @hillside on X' },
        details: { reasonText: 'Abusive language aimed at a teacher', before: null, after: 'proposed' },
      },
      {
        action: 'comment.assigned',
        schoolId: schoolA,
        subject: { type: 'comment', id: 'c-1', label: '<script>alert(1)</script> on @hillside' },
        details: { before: null, after: 'u-2' },
        personal: { authorHandle: '@angry_parent' },
      },
      {
        action: 'action.rejected',
        schoolId: schoolB,
        subject: { type: 'action', id: 'b-1', label: 'Block on @riverside' },
        details: { reason: 'Abusive but from a pupil: handled by the pastoral team' },
      },
      ...Array.from({ length: 5 }, (_, i) => ({
        action: 'comment.closed' as const,
        schoolId: schoolA,
        subject: { type: 'comment', id: `c-${10 + i}`, label: `Comment ${10 + i}` },
        details: { reason: 'spam' },
      })),
    ]),
  );
});
afterAll(async () => {
  await api.close();
  await t.drop();
});

const get = (who: string, url: string) => api.app.inject({ method: 'GET', url, headers: as[who]!.headers });
const post = (who: string, url: string, payload: Record<string, unknown> = {}) =>
  api.app.inject({ method: 'POST', url, headers: as[who]!.headers, payload });

describe('auditor search', () => {
  it("shows an auditor their school's entries, each readable on its own, newest first", async () => {
    const res = await get('auditor', '/api/audit');
    expect(res.statusCode).toBe(200);
    const { items } = res.json();
    expect(items.every((e: { schoolId: string }) => e.schoolId === schoolA)).toBe(true);
    expect(items.map((e: { seq: number }) => e.seq)).toEqual(
      [...items.map((e: { seq: number }) => e.seq)].sort((a, b) => b - a),
    );
    const proposed = items.find((e: { action: string }) => e.action === 'action.proposed');
    expect(proposed).toMatchObject({
      actor: { type: 'user', name: 'Mr Adeyemi (admin)' },
      subject: { type: 'action', label: 'Delete comment 1893 on @hillside on X' },
      reason: 'Abusive language aimed at a teacher',
      before: null,
      after: 'proposed',
      personalData: { state: 'none' },
    });
    const assigned = items.find((e: { action: string }) => e.action === 'comment.assigned');
    expect(assigned.personalData).toEqual({ state: 'held', content: { authorHandle: '@angry_parent' } });
  });

  it('filters by action, subject, words in the reason and date, and pages by keyset', async () => {
    expect((await get('auditor', '/api/audit?action=action.proposed')).json().items).toHaveLength(1);
    expect((await get('auditor', '/api/audit?subjectType=comment&subjectId=c-12')).json().items).toHaveLength(
      1,
    );
    const words = (await get('auditor', '/api/audit?q=abusive%20teacher')).json().items;
    expect(words.map((e: { subject: { id: string } }) => e.subject.id)).toEqual(['a-1']);
    const today = new Date().toISOString().slice(0, 10);
    expect(
      (await get('auditor', `/api/audit?from=${today}&to=${today}&action=comment.closed`)).json().items,
    ).toHaveLength(5);
    expect((await get('auditor', '/api/audit?to=2000-01-01')).json().items).toHaveLength(0);

    const first = (await get('auditor', '/api/audit?action=comment.closed&limit=2')).json();
    expect(first.items).toHaveLength(2);
    const second = (
      await get('auditor', `/api/audit?action=comment.closed&limit=2&before=${first.next}`)
    ).json();
    const third = (
      await get('auditor', `/api/audit?action=comment.closed&limit=2&before=${second.next}`)
    ).json();
    const all = [...first.items, ...second.items, ...third.items].map(
      (e: { subject: { id: string } }) => e.subject.id,
    );
    expect(all).toEqual(['c-14', 'c-13', 'c-12', 'c-11', 'c-10']);
    expect(third.next).toBeNull();
  });

  it("never shows another school's entries: naming it answers 404", async () => {
    expect((await get('auditor', `/api/audit?schoolId=${schoolB}`)).statusCode).toBe(404);
    const mine = (await get('auditorB', '/api/audit')).json().items;
    expect(mine.map((e: { subject: { id: string } }) => e.subject.id)).toEqual(['b-1']);
    expect((await get('auditor', '/api/audit?q=pastoral')).json().items).toHaveLength(0);
  });

  it('lets senior leaders and trust admins read, and refuses comms staff', async () => {
    expect((await get('leader', '/api/audit')).statusCode).toBe(200);
    expect((await get('trustAdmin', '/api/audit')).statusCode).toBe(200);
    const refused = await get('comms', '/api/audit');
    expect(refused.statusCode).toBe(403);
    expect(refused.json().message).toMatch(/auditor or trust admin or senior leader/);
  });
});

describe('verify, checkpoints and export over the API', () => {
  it('verifies the chain for an auditor, and refuses a senior leader', async () => {
    const res = await post('auditor', '/api/audit/verify');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ intact: true, from: 1, signingConfigured: true });
    expect((await post('leader', '/api/audit/verify')).statusCode).toBe(403);
  });

  it('signs a checkpoint on demand, lists it and exports it for a witness', async () => {
    const res = await post('auditor', '/api/audit/checkpoints');
    expect(res.statusCode).toBe(201);
    const { checkpoint } = res.json();
    expect(checkpoint.publicKey).toBe(auditSigner(key)!.publicKey);
    await expectAuditEntry(t.db, {
      action: 'audit.checkpoint_signed',
      details: { seq: checkpoint.seq, onDemand: true },
    });
    const list = (await get('auditor', '/api/audit/checkpoints')).json();
    expect(list).toMatchObject({ publicKey: checkpoint.publicKey, checkpoints: [checkpoint] });
    const file = await get('auditor', '/api/audit/checkpoints/export');
    expect(file.headers['content-disposition']).toContain('audit-checkpoints.jsonl');
    expect(JSON.parse(file.body.trim())).toEqual(checkpoint);
    expect((await post('leader', '/api/audit/checkpoints')).statusCode).toBe(403);
    expect((await post('auditor', '/api/audit/verify')).json()).toMatchObject({
      intact: true,
      checkpoints: 1,
    });
  });

  it("exports the school's entries as a signed file that verifies offline", async () => {
    for (const format of ['jsonl', 'csv']) {
      const res = await get('auditor', `/api/audit/export?format=${format}`);
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-disposition']).toMatch(
        new RegExp(`attachment; filename="audit-.*\\.${format}"`),
      );
      expect(res.body).not.toContain('Riverside');
      const verdict = await verifyExport([res.body], { publicKey: auditSigner(key)!.publicKey });
      expect(verdict).toMatchObject({ intact: true, contiguous: false, format });
      // The school's seven entries; the checkpoint and export entries belong to no school.
      expect(verdict.intact && verdict.count).toBe(7);
    }
    await expectAuditEntry(t.db, {
      action: 'audit.exported',
      schoolId: undefined,
      details: { format: 'csv' },
    });
    expect((await get('leader', '/api/audit/export')).statusCode).toBe(403);
  });
});

describe('the audit page', () => {
  it('lists entries escaped, with filters, export links and a Verify button that works', async () => {
    const res = await get('auditor', '/audit?action=comment.assigned');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('&lt;script>alert(1)&lt;/script> on @hillside');
    expect(res.body).not.toContain('<script>alert(1)</script>');
    expect(res.body).toContain('action="/audit/verify"');
    expect(res.body).toContain('/api/audit/export?action=comment.assigned&amp;format=csv');
    const verified = await api.app.inject({
      method: 'POST',
      url: '/audit/verify',
      headers: { cookie: as.auditor!.headers.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: `_csrf=${encodeURIComponent(as.auditor!.csrfToken)}`,
    });
    expect(verified.statusCode).toBe(200);
    expect(verified.body).toMatch(/Intact: entries 1–\d+/);
  });

  it('refuses a form without the CSRF token, and hides Verify from a senior leader', async () => {
    const forged = await api.app.inject({
      method: 'POST',
      url: '/audit/verify',
      headers: { cookie: as.auditor!.headers.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: '_csrf=wrong',
    });
    expect(forged.statusCode).toBe(403);
    const comms = await get('comms', '/audit');
    expect(comms.statusCode).toBe(403);
    expect(comms.headers['content-type']).toContain('text/html');
    expect(comms.body).toContain('Only auditor or trust admin or senior leader staff may read the audit log');
    await expectAuditEntry(t.db, { action: 'request.refused', details: { path: '/audit' } });
    const leader = await get('leader', '/audit');
    expect(leader.statusCode).toBe(200);
    expect(leader.body).not.toContain('action="/audit/verify"');
  });
});

describe('word search over more entries than its first window', () => {
  it('still finds an old entry once 2,000 newer ones bury it, and pages on past it', async () => {
    await t.db.transaction((tx) =>
      emitAudit(
        tx,
        { actor },
        Array.from({ length: 2_100 }, (_, i) => ({
          action: 'comment.closed' as const,
          schoolId: schoolA,
          subject: { type: 'comment', id: `bulk-${i}`, label: `Comment bulk ${i}` },
          details: { reason: i % 1_000 === 0 ? 'abusive reply to a teacher, hidden' : 'routine' },
        })),
      ),
    );
    const found = (await get('auditor', '/api/audit?q=abusive%20teacher&limit=2')).json();
    expect(found.items.map((e: { subject: { id: string } }) => e.subject.id)).toEqual([
      'bulk-2000',
      'bulk-1000',
    ]);
    const older = (
      await get('auditor', `/api/audit?q=abusive%20teacher&limit=2&before=${found.next}`)
    ).json();
    expect(older.items.map((e: { subject: { id: string } }) => e.subject.id)).toEqual(['bulk-0', 'a-1']);
    expect(older.next).toBeNull();
  });
});
