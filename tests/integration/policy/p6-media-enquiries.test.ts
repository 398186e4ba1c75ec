import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { comments, escalations, notifications, responses } from '../../../db/schema/index.js';
import { buildTestApp, type TestApp } from '../../helpers/build-test-app.js';
import { expectAuditEntry } from '../../helpers/expect-audit-entry.js';
import { createAccount, createComment, createSchool, createUser } from '../../helpers/factories.js';
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

async function scene() {
  const school = await createSchool(t.db);
  const person = (displayName: string, role: 'comms' | 'senior_leader' | 'trust_admin') =>
    createUser(t.db, { trustId: school.trustId, displayName, roles: [{ schoolId: school.id, role }] });
  const [comms, head, deputy, other, trustAdmin] = await Promise.all([
    person('Casey Comms', 'comms'),
    person('Hana Head', 'senior_leader'),
    person('Dev Deputy', 'senior_leader'),
    person('Sam Senior', 'senior_leader'),
    person('Tara Trust', 'trust_admin'),
  ]);
  const account = await createAccount(t.db, { schoolId: school.id, adminIds: [comms.id] });
  const comment = (text = 'I write for the Gazette: can the head comment on the Ofsted report?') =>
    createComment(t.db, {
      schoolId: school.id,
      accountId: account.id,
      text,
      deadlineAt: new Date(Date.now() + 86_400_000),
    });
  return { school, comms, head, deputy, other, trustAdmin, account, comment };
}

async function call(userId: string, method: 'GET' | 'POST', url: string, payload?: object) {
  const { headers } = await signIn(t.db, userId);
  return api.app.inject({ method, url, headers, ...(payload ? { payload } : {}) });
}
async function form(userId: string, url: string, fields: Record<string, string | string[]>) {
  const { headers, csrfToken } = await signIn(t.db, userId);
  const body = new URLSearchParams();
  for (const [k, v] of Object.entries({ ...fields, _csrf: csrfToken }))
    for (const one of [v].flat()) body.append(k, one);
  const res = await api.app.inject({
    method: 'POST',
    url,
    headers: { cookie: headers.cookie, 'content-type': 'application/x-www-form-urlencoded' },
    payload: body.toString(),
  });
  /** Follows the 303 as a browser would, carrying the flash cookie it set. */
  const follow = () => {
    const flash = [res.headers['set-cookie'] ?? []].flat().find((c) => c.startsWith('hm_flash='));
    const cookie = [headers.cookie, flash?.split(';')[0]].filter(Boolean).join('; ');
    return api.app.inject({ url: String(res.headers.location), headers: { cookie } });
  };
  return Object.assign(res, { follow });
}
const name = (s: Awaited<ReturnType<typeof scene>>, head: string, deputies: string[] = []) =>
  form(s.head.id, `/schools/${s.school.id}/settings/conduct`, {
    headteacherId: head,
    mediaDeputyIds: deputies,
    dpoUserId: '',
    dpoEmail: '',
    harassmentCount: '3',
    harassmentWindowDays: '7',
  });

describe('P6: staff mark a media enquiry; the headteacher or a named deputy approves its replies', () => {
  it('a comms member marks a comment; senior leaders are told; replies and offline responses wait for the headteacher', async () => {
    const s = await scene();
    expect((await name(s, s.head.id, [s.deputy.id])).statusCode).toBe(303);
    await expectAuditEntry(t.db, {
      action: 'school.conduct_settings_changed',
      subjectId: s.school.id,
      details: { after: { headteacherId: s.head.id, mediaDeputyIds: [s.deputy.id] } },
    });
    const c = await s.comment();

    const marked = await call(s.comms.id, 'POST', `/api/comments/${c.id}/corrections/flag`, {
      category: 'media_enquiry',
      note: 'a reporter',
    });
    expect(marked.statusCode, marked.body).toBe(201);
    const [media] = await t.db
      .select()
      .from(escalations)
      .where(and(eq(escalations.commentId, c.id), eq(escalations.kind, 'media')));
    expect(media?.status).toBe('open');
    const told = await t.db
      .select({ userId: notifications.userId })
      .from(notifications)
      .where(eq(notifications.event, 'escalation.media'));
    expect(told.map((n) => n.userId).sort()).toEqual([s.head.id, s.deputy.id, s.other.id].sort());

    // A public reply and an offline response both wait, and only the headteacher and deputy are asked.
    const publicReply = await call(s.comms.id, 'POST', `/api/comments/${c.id}/responses`, {
      kind: 'public_reply',
      text: 'Thank you, the head will be in touch.',
    });
    expect(publicReply.json()).toMatchObject({ responseStatus: 'pending_approval', commentStatus: 'open' });
    const offline = await call(s.comms.id, 'POST', `/api/comments/${c.id}/responses`, {
      kind: 'offline',
      channel: 'phone',
      contactPerson: 'Jo Reporter, the Gazette',
      note: 'Will say: we are proud of the report and have no further comment.',
    });
    expect(offline.statusCode, offline.body).toBe(201);
    expect(offline.json()).toMatchObject({ responseStatus: 'pending_approval', metDeadline: null });
    const offlineRow = (
      await t.db.select().from(responses).where(eq(responses.id, offline.json().responseId))
    )[0]!;
    expect(offlineRow.approvalReason).toBe('offline response to a media enquiry (P6)');
    const asked = await t.db
      .select({ userId: notifications.userId })
      .from(notifications)
      .where(eq(notifications.event, 'reply.approval_requested'));
    expect(new Set(asked.map((n) => n.userId))).toEqual(new Set([s.head.id, s.deputy.id]));

    // Another senior leader is refused by name; the deputy approves the offline response.
    const refused = await call(s.other.id, 'POST', `/api/responses/${offline.json().responseId}/approve`, {});
    expect(refused.statusCode).toBe(403);
    expect(refused.json().message).toContain('Only Hana Head (headteacher) or Dev Deputy may approve');
    const approved = await call(
      s.deputy.id,
      'POST',
      `/api/responses/${offline.json().responseId}/approve`,
      {},
    );
    expect(approved.statusCode, approved.body).toBe(200);
    expect(approved.json()).toMatchObject({ responseStatus: 'recorded', commentStatus: 'responded' });
    await expectAuditEntry(t.db, {
      action: 'response.approved',
      subjectId: offline.json().responseId,
      details: { kind: 'offline', draftedBy: s.comms.id },
    });

    // The Approvals page shows who approves, to the one who may not as well.
    const page = await call(s.other.id, 'GET', '/approvals');
    // Staff names are typed text: each is escaped and isolated, so a right-to-left name cannot
    // reorder the sentence around it.
    expect(page.body).toContain(
      'Approved only by <bdi>Hana Head</bdi> (headteacher) or <bdi>Dev Deputy</bdi>',
    );
    expect(page.body).toContain(
      'Only <bdi>Hana Head</bdi> (headteacher) or <bdi>Dev Deputy</bdi> may approve or reject',
    );
    const commentPage = await call(s.other.id, 'GET', `/comments/${c.id}`);
    expect(commentPage.body).toContain(
      'without the approval of <bdi>Hana Head</bdi> (headteacher) or <bdi>Dev Deputy</bdi> (P6)',
    );
  });

  it("the headteacher's own reply is approved by its author; another senior leader's waits", async () => {
    const s = await scene();
    await name(s, s.head.id);
    const c = await s.comment();
    await call(s.comms.id, 'POST', `/api/comments/${c.id}/corrections/flag`, { category: 'media_enquiry' });
    const own = await call(s.head.id, 'POST', `/api/comments/${c.id}/responses`, {
      kind: 'offline',
      channel: 'email',
      contactPerson: 'The Gazette',
      note: 'No comment beyond our statement.',
    });
    expect(own.json()).toMatchObject({ responseStatus: 'recorded', commentStatus: 'responded' });
    const c2 = await s.comment();
    await call(s.comms.id, 'POST', `/api/comments/${c2.id}/corrections/flag`, { category: 'media_enquiry' });
    const others = await call(s.other.id, 'POST', `/api/comments/${c2.id}/responses`, {
      kind: 'offline',
      channel: 'email',
      contactPerson: 'The Gazette',
      note: 'No comment.',
    });
    expect(others.json()).toMatchObject({ responseStatus: 'pending_approval' });
  });

  it('with no headteacher named any senior leader approves, and Settings warns', async () => {
    const s = await scene();
    const c = await s.comment();
    await call(s.comms.id, 'POST', `/api/comments/${c.id}/corrections/flag`, { category: 'media_enquiry' });
    const r = await call(s.comms.id, 'POST', `/api/comments/${c.id}/responses`, {
      kind: 'offline',
      channel: 'phone',
      contactPerson: 'A reporter',
      note: 'No comment.',
    });
    expect(
      (await call(s.other.id, 'POST', `/api/responses/${r.json().responseId}/approve`, {})).statusCode,
    ).toBe(200);
    const settings = await call(s.head.id, 'GET', `/schools/${s.school.id}/settings`);
    expect(settings.body).toContain('No headteacher is named');
  });

  it('unmarking needs a reason, closes the media escalation, and replies go without approval', async () => {
    const s = await scene();
    await name(s, s.head.id);
    const c = await s.comment('Is the school fair on Saturday? I am a parent, not a journalist.');
    await call(s.comms.id, 'POST', `/api/comments/${c.id}/corrections/flag`, { category: 'media_enquiry' });
    const noReason = await call(s.comms.id, 'POST', `/api/comments/${c.id}/corrections/not-a-problem`, {
      category: 'media_enquiry',
    });
    expect(noReason.statusCode).toBe(400);
    const unmarked = await call(s.comms.id, 'POST', `/api/comments/${c.id}/corrections/not-a-problem`, {
      category: 'media_enquiry',
      reason: 'A parent asking about the fair',
    });
    expect(unmarked.statusCode, unmarked.body).toBe(201);
    const [media] = await t.db.select().from(escalations).where(eq(escalations.commentId, c.id));
    expect(media).toMatchObject({
      status: 'closed',
      closingNote: 'Not a media enquiry: A parent asking about the fair',
    });
    await expectAuditEntry(t.db, { action: 'escalation.closed', subjectId: media!.id });
    await expectAuditEntry(t.db, {
      action: 'comment.corrected',
      subjectId: c.id,
      details: { correction: 'overturned', category: 'media_enquiry' },
    });
    const [row] = await t.db.select().from(comments).where(eq(comments.id, c.id));
    expect(row!.categories).not.toContain('media_enquiry');
    // The headteacher, who alone approved its replies until now, is told who lifted that and why.
    const told = await t.db
      .select()
      .from(notifications)
      .where(and(eq(notifications.userId, s.head.id), eq(notifications.event, 'escalation.media')));
    const unmarkNotice = told.find((n) => n.title.includes('not a media enquiry'));
    expect(unmarkNotice, JSON.stringify(told.map((n) => n.title))).toBeDefined();
    expect(unmarkNotice!.body).toContain('Casey Comms');
    expect(unmarkNotice!.link).toBe(`/comments/${c.id}`);
    const offline = await call(s.comms.id, 'POST', `/api/comments/${c.id}/responses`, {
      kind: 'offline',
      channel: 'phone',
      contactPerson: 'The parent',
      note: 'Told them 10am.',
    });
    expect(offline.json()).toMatchObject({ responseStatus: 'recorded', commentStatus: 'responded' });
  });

  it('settings: only senior leaders of the school may be headteacher or deputy; comms and other schools refused', async () => {
    const s = await scene();
    const bad = await name(s, s.comms.id);
    expect(bad.statusCode).toBe(303);
    const page = await bad.follow();
    expect(page.body).toContain('The headteacher must be a senior leader of this school');
    const refused = await form(s.comms.id, `/schools/${s.school.id}/settings/conduct`, {
      headteacherId: s.head.id,
      dpoUserId: '',
      dpoEmail: '',
      harassmentCount: '3',
      harassmentWindowDays: '7',
    });
    expect(refused.statusCode).toBe(403);
    const other = await scene();
    const elsewhere = await form(s.head.id, `/schools/${other.school.id}/settings/conduct`, {
      headteacherId: '',
      dpoUserId: '',
      dpoEmail: '',
      harassmentCount: '3',
      harassmentWindowDays: '7',
    });
    expect(elsewhere.statusCode).toBe(404);
    const badEmail = await form(s.trustAdmin.id, `/schools/${s.school.id}/settings/conduct`, {
      headteacherId: s.head.id,
      dpoUserId: '',
      dpoEmail: 'not an email',
      harassmentCount: '3',
      harassmentWindowDays: '7',
    });
    expect(badEmail.statusCode).toBe(303);
    const shown = await badEmail.follow();
    expect(shown.body).toContain('is not an email address');
  });
  it('settings under attack: other schools’ people, markup and oversized or malformed values are refused with a message, never a 500', async () => {
    const s = await scene();
    const other = await scene();
    const base = {
      headteacherId: s.head.id,
      mediaDeputyIds: [] as string[],
      dpoUserId: '',
      dpoEmail: '',
      harassmentCount: '3',
      harassmentWindowDays: '7',
    };
    const cases: [string, Record<string, string | string[]>, string][] = [
      [
        'another school’s senior leader as deputy',
        { mediaDeputyIds: [other.head.id] },
        'Each deputy must be a senior leader of this school',
      ],
      ['another school’s person as DPO', { dpoUserId: other.comms.id }, 'must be someone at this school'],
      ['markup as the headteacher', { headteacherId: '<script>x</script>' }, 'choose a person from the list'],
      [
        'an email with a header break',
        { dpoEmail: 'dpo@x.example\r\nBcc: all@x.example' },
        'is not an email address',
      ],
      ['an email with an RTL override', { dpoEmail: 'dpo\u202e@x.example' }, 'is not an email address'],
      ['a huge count', { harassmentCount: '1e308' }, 'at most 20'],
      ['a count that is not a number', { harassmentCount: 'three' }, 'whole number'],
      ['a window of no days', { harassmentWindowDays: '0' }, 'at least 1 day'],
    ];
    for (const [what, over, message] of cases) {
      const res = await form(s.trustAdmin.id, `/schools/${s.school.id}/settings/conduct`, {
        ...base,
        ...over,
      });
      expect(res.statusCode, what).toBeLessThan(500);
      const shown = res.statusCode === 303 ? (await res.follow()).body : res.body;
      expect(shown.toLowerCase(), what).toContain(message.toLowerCase());
      expect(shown, what).not.toContain('<script>x');
    }
    const tooLong = await form(s.trustAdmin.id, `/schools/${s.school.id}/settings/conduct`, {
      ...base,
      dpoEmail: `${'a'.repeat(100_000)}@x.example`,
    });
    expect(tooLong.statusCode).toBe(400);
    // Another trust's admin cannot see or change this school's settings.
    const theirs = await createSchool(t.db);
    const stranger = await createUser(t.db, {
      trustId: theirs.trustId,
      displayName: 'Other Trust',
      roles: [{ schoolId: theirs.id, role: 'trust_admin' }],
    });
    expect((await form(stranger.id, `/schools/${s.school.id}/settings/conduct`, base)).statusCode).toBe(404);
  });
});
