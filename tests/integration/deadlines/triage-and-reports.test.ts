import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { comments, responses, schools, socialAccounts } from '../../../db/schema/index.js';
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
  await api?.close();
  if (api) await clearRedisPrefix(api.config.redisPrefix);
  await t?.drop();
});

async function fixture(calendar: Record<string, unknown> = {}) {
  const trust = await createTrust(t.db);
  const school = await createSchool(t.db, { trustId: trust.id, calendar });
  const role = (r: 'comms' | 'senior_leader' | 'auditor' | 'safeguarding_lead' | 'trust_admin') =>
    createUser(t.db, { trustId: trust.id, roles: [{ schoolId: school.id, role: r }] });
  const comms = await role('comms');
  const senior = await role('senior_leader');
  const auditor = await role('auditor');
  const dsl = await role('safeguarding_lead');
  const admin = await createUser(t.db, { trustId: trust.id });
  const account = await createAccount(t.db, { schoolId: school.id, adminIds: [admin.id] });
  return { trust, school, comms, senior, auditor, dsl, admin, account };
}

const hour = 3_600_000;
const reload = async (id: string) => (await t.db.select().from(comments).where(eq(comments.id, id)))[0]!;

async function post(userId: string, url: string, payload: unknown) {
  const { headers } = await signIn(t.db, userId);
  return api.app.inject({ method: 'POST', url, headers, payload: payload as object });
}

describe('responding meets the deadline', () => {
  const kinds = [
    {
      kind: 'offline',
      channel: 'phone',
      contactPerson: 'Mrs Shah, the parent',
      note: 'Rang the parent back; fair starts at 10.',
    },
    { kind: 'private_reply', text: 'Thanks, we have messaged you the details.' },
    { kind: 'no_response_needed', reason: 'A thank-you message; nothing to answer.' },
  ] as const;

  for (const input of kinds) {
    it(`${input.kind} meets the deadline and is audited with who, when and how`, async () => {
      const f = await fixture();
      const comment = await createComment(t.db, {
        schoolId: f.school.id,
        accountId: f.account.id,
        deadlineAt: new Date(Date.now() + 24 * hour),
        warnAt: new Date(Date.now() + 18 * hour),
      });
      const res = await post(f.comms.id, `/api/comments/${comment.id}/responses`, input);
      expect(res.statusCode, res.body).toBe(201);
      const closing = input.kind === 'no_response_needed';
      expect(res.json()).toMatchObject({
        kind: input.kind,
        responseStatus: 'recorded',
        commentStatus: closing ? 'closed' : 'responded',
        metDeadline: true,
      });
      const after = await reload(comment.id);
      expect(after.status).toBe(closing ? 'closed' : 'responded');
      expect(after.firstResponseAt).not.toBeNull();
      expect(after.resolvedAt).not.toBeNull();
      await expectAuditEntry(t.db, {
        action: closing ? 'comment.closed' : 'comment.responded',
        subjectId: comment.id,
        actorId: f.comms.id,
        details: { kind: input.kind, metDeadline: true, responseId: res.json().responseId },
      });
      const [row] = await t.db.select().from(responses).where(eq(responses.commentId, comment.id));
      expect(row).toMatchObject({ kind: input.kind, status: 'recorded', actorId: f.comms.id });
    });
  }

  it('a later response does not move the first response time', async () => {
    const f = await fixture();
    const comment = await createComment(t.db, { schoolId: f.school.id, accountId: f.account.id });
    await post(f.comms.id, `/api/comments/${comment.id}/responses`, {
      kind: 'offline',
      channel: 'phone',
      contactPerson: 'The parent',
      note: 'Rang back with the answer.',
    });
    const first = (await reload(comment.id)).firstResponseAt;
    const res = await post(f.senior.id, `/api/comments/${comment.id}/responses`, {
      kind: 'offline',
      channel: 'meeting',
      contactPerson: 'The parent',
      note: 'Met the parent at pick-up.',
    });
    expect(res.statusCode).toBe(201);
    expect((await reload(comment.id)).firstResponseAt).toEqual(first);
  });

  it('refuses an offline response without a note, and closing without a reason', async () => {
    const f = await fixture();
    const comment = await createComment(t.db, { schoolId: f.school.id, accountId: f.account.id });
    const url = `/api/comments/${comment.id}/responses`;
    expect((await post(f.comms.id, url, { kind: 'offline', channel: 'phone' })).statusCode).toBe(400);
    expect((await post(f.comms.id, url, { kind: 'no_response_needed', reason: '  ' })).statusCode).toBe(400);
    expect((await reload(comment.id)).status).toBe('open');
  });
});

describe('who may respond', () => {
  it('refuses auditors and safeguarding-only staff, and closing by an account admin', async () => {
    const f = await fixture();
    const comment = await createComment(t.db, { schoolId: f.school.id, accountId: f.account.id });
    const url = `/api/comments/${comment.id}/responses`;
    expect((await post(f.auditor.id, url, { kind: 'acknowledgement' })).statusCode).toBe(403);
    expect((await post(f.dsl.id, url, { kind: 'acknowledgement' })).statusCode).toBe(403);
    expect((await post(f.admin.id, url, { kind: 'no_response_needed', reason: 'spam' })).statusCode).toBe(
      403,
    );
    expect((await reload(comment.id)).status).toBe('open');
    // An account admin may answer.
    expect(
      (
        await post(f.admin.id, url, {
          kind: 'offline',
          channel: 'phone',
          contactPerson: 'The parent',
          note: 'Rang back with the answer.',
        })
      ).statusCode,
    ).toBe(201);
  });

  it("answers 404 for another school's comment", async () => {
    const f = await fixture();
    const other = await fixture();
    const comment = await createComment(t.db, { schoolId: other.school.id, accountId: other.account.id });
    const res = await post(f.comms.id, `/api/comments/${comment.id}/responses`, { kind: 'acknowledgement' });
    expect(res.statusCode).toBe(404);
    expect(
      (await post(f.comms.id, `/api/comments/${comment.id}/assign`, { assigneeId: null })).statusCode,
    ).toBe(404);
  });

  it('assigns a comment to someone who may answer it, and audits it', async () => {
    const f = await fixture();
    const comment = await createComment(t.db, { schoolId: f.school.id, accountId: f.account.id });
    const url = `/api/comments/${comment.id}/assign`;
    expect((await post(f.comms.id, url, { assigneeId: f.auditor.id })).statusCode).toBe(400);
    expect((await post(f.auditor.id, url, { assigneeId: f.comms.id })).statusCode).toBe(403);
    const res = await post(f.comms.id, url, { assigneeId: f.admin.id });
    expect(res.statusCode).toBe(200);
    expect((await reload(comment.id)).assigneeId).toBe(f.admin.id);
    await expectAuditEntry(t.db, {
      action: 'comment.assigned',
      subjectId: comment.id,
      actorId: f.comms.id,
      details: { before: null, after: f.admin.id },
    });
  });
});

describe('the school calendar', () => {
  it('a senior leader changes it; open comments are re-timed; the change is audited', async () => {
    const f = await fixture({ workingDays: [1, 2, 3, 4, 5, 6, 7], region: 'none' });
    const postedAt = new Date(Date.now() - hour);
    const comment = await createComment(t.db, {
      schoolId: f.school.id,
      accountId: f.account.id,
      postedAt,
      deadlineAt: new Date(postedAt.getTime() + 24 * hour),
    });
    const { headers } = await signIn(t.db, f.senior.id);
    const body = { workingDays: [1, 2, 3, 4, 5, 6, 7], region: 'none', responseHours: 48 };
    const res = await api.app.inject({
      method: 'PUT',
      url: `/api/schools/${f.school.id}/calendar`,
      headers,
      payload: body,
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ retimed: 1, calendar: { responseHours: 48 } });
    const after = await reload(comment.id);
    expect(after.deadlineAt!.getTime() - postedAt.getTime()).toBe(48 * hour);
    expect(after.warnAt!.getTime() - postedAt.getTime()).toBe(36 * hour);
    await expectAuditEntry(t.db, {
      action: 'school.calendar_changed',
      subjectId: f.school.id,
      actorId: f.senior.id,
      details: { before: { responseHours: 24 }, after: { responseHours: 48 } },
    });

    const comms = await signIn(t.db, f.comms.id);
    const refused = await api.app.inject({
      method: 'PUT',
      url: `/api/schools/${f.school.id}/calendar`,
      headers: comms.headers,
      payload: body,
    });
    expect(refused.statusCode).toBe(403);
    const invalid = await api.app.inject({
      method: 'PUT',
      url: `/api/schools/${f.school.id}/calendar`,
      headers,
      payload: { workdayStart: '17:00', workdayEnd: '08:00' },
    });
    expect(invalid.statusCode).toBe(400);
  });

  it('imports closures from an iCalendar file', async () => {
    const f = await fixture();
    const { headers } = await signIn(t.db, f.senior.id);
    const ics = [
      'BEGIN:VCALENDAR',
      'VERSION:2.0',
      'BEGIN:VEVENT',
      'UID:inset-1',
      'DTSTART;VALUE=DATE:20270104',
      'DTEND;VALUE=DATE:20270105',
      'SUMMARY:INSET day',
      'END:VEVENT',
      'END:VCALENDAR',
      '',
    ].join('\r\n');
    const res = await api.app.inject({
      method: 'POST',
      url: `/api/schools/${f.school.id}/calendar/ical`,
      headers: { ...headers, 'content-type': 'text/calendar' },
      payload: ics,
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ imported: 1, closures: 1 });
    const [school] = await t.db.select().from(schools).where(eq(schools.id, f.school.id));
    expect(school!.calendar.closures).toEqual([{ from: '2027-01-04', to: '2027-01-04', label: 'INSET day' }]);

    const bad = await api.app.inject({
      method: 'POST',
      url: `/api/schools/${f.school.id}/calendar/ical`,
      headers: { ...headers, 'content-type': 'text/calendar' },
      payload: 'not a calendar',
    });
    expect(bad.statusCode).toBe(400);
  });
});

describe('deadline report', () => {
  // Mon 2 – Fri 6 March 2026, GMT (UTC = London time).
  const at = (day: number, h: number) => new Date(Date.UTC(2026, 2, day, h));

  async function knownDataSet() {
    const f = await fixture({ region: 'none' });
    const quiet = await createAccount(t.db, {
      schoolId: f.school.id,
      adminIds: [f.admin.id],
      handle: 'quiet_account',
    });
    await t.db
      .update(socialAccounts)
      .set({ createdAt: at(1, 0) })
      .where(eq(socialAccounts.schoolId, f.school.id));
    const make = async (posted: Date, responded: Date | null, by: string | null) => {
      const comment = await createComment(t.db, {
        schoolId: f.school.id,
        accountId: f.account.id,
        postedAt: posted,
        deadlineAt: new Date(posted.getTime() + 24 * hour),
        warnAt: new Date(posted.getTime() + 18 * hour),
        firstResponseAt: responded,
        resolvedAt: responded,
        status: responded ? 'responded' : 'open',
      });
      if (responded && by) {
        await t.db.insert(responses).values({
          schoolId: f.school.id,
          commentId: comment.id,
          kind: 'acknowledgement',
          status: 'recorded',
          actorId: by,
          createdAt: responded,
          completedAt: responded,
        });
      }
      return comment;
    };
    await make(at(2, 9), at(2, 10), f.comms.id); // 1 h, in time (Mon)
    await make(at(2, 12), at(3, 14), f.senior.id); // 26 h, late (Tue)
    await make(at(4, 9), null, null); // unanswered, past its deadline (Wed)
    await make(at(5, 9), at(5, 11), f.comms.id); // 2 h, in time (Thu)
    return { ...f, quiet };
  }

  it('gives the share in time, median and p90, breaches, open bands, per responder, and coverage gaps', async () => {
    const f = await knownDataSet();
    const { headers } = await signIn(t.db, f.senior.id);
    const res = await api.app.inject({
      url: `/api/schools/${f.school.id}/reports/deadlines?from=2026-03-02&to=2026-03-06`,
      headers,
    });
    expect(res.statusCode, res.body).toBe(200);
    const report = res.json();
    expect(report.school).toMatchObject({
      comments: 4,
      due: 4,
      responded: 3,
      respondedInTime: 2,
      shareInTime: 0.5,
      medianSecondsToFirstResponse: 7_200,
      p90SecondsToFirstResponse: 76_320,
      breaches: 2,
      open: { breached: 1, under_25pct: 0, under_50pct: 0, ok: 0 },
    });
    const main = report.accounts.find((a: { accountId: string }) => a.accountId === f.account.id);
    expect(main).toMatchObject({ comments: 4, respondedInTime: 2, breaches: 2 });
    const quiet = report.accounts.find((a: { accountId: string }) => a.accountId === f.quiet.id);
    expect(quiet).toMatchObject({ comments: 0, shareInTime: null });

    const byUser = Object.fromEntries(report.responders.map((r: { userId: string }) => [r.userId, r]));
    expect(byUser[f.comms.id]).toMatchObject({
      responded: 2,
      respondedInTime: 2,
      medianSecondsToFirstResponse: 5_400,
    });
    expect(byUser[f.senior.id]).toMatchObject({ responded: 1, respondedInTime: 0, shareInTime: 0 });

    expect(report.workingDays).toBe(5);
    const gaps = (accountId: string) =>
      report.coverageGaps
        .filter((g: { accountId: string }) => g.accountId === accountId)
        .map((g: { date: string; commentsReceived: number }) => [g.date, g.commentsReceived]);
    // Nobody triaged the main account on Wednesday (one comment came in) or Friday.
    expect(gaps(f.account.id)).toEqual([
      ['2026-03-04', 1],
      ['2026-03-06', 0],
    ]);
    expect(gaps(f.quiet.id)).toHaveLength(5);
  });

  it('exports CSV with formula-safe cells; other roles and schools are refused', async () => {
    const f = await knownDataSet();
    const { headers } = await signIn(t.db, f.comms.id);
    const url = `/api/schools/${f.school.id}/reports/deadlines?from=2026-03-02&to=2026-03-06`;
    const csv = await api.app.inject({ url: `${url}&format=csv`, headers });
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    const lines = csv.body.trim().split('\r\n');
    expect(lines[0]).toMatch(/^section,id,label,date,/);
    expect(lines).toContainEqual(
      expect.stringMatching(/^school,.*,4,4,3,2,0\.5000,7200,76320,2,1,0,0,0,,0,3,0,,,,$/),
    );
    expect(lines).toContainEqual(
      expect.stringContaining(`coverage_gap,${f.account.id},"'@${f.account.handle} on X",2026-03-04`),
    );

    const dsl = await signIn(t.db, f.dsl.id);
    expect((await api.app.inject({ url, headers: dsl.headers })).statusCode).toBe(403);
    const other = await fixture();
    const outsider = await signIn(t.db, other.senior.id);
    expect((await api.app.inject({ url, headers: outsider.headers })).statusCode).toBe(404);
    expect(
      (
        await api.app.inject({
          url: `/api/schools/${f.school.id}/reports/deadlines?from=2026-03-06&to=2026-03-02`,
          headers,
        })
      ).statusCode,
    ).toBe(400);
  });
});
