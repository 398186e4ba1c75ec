import { and, eq } from 'drizzle-orm';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { moderationActions, notifications, schools } from '../../../db/schema/index.js';
import { systemContext } from '../../../services/core/service-context.js';
import { deadlineReport } from '../../../services/deadlines/deadline-report.js';
import { updateDeadlineSettings } from '../../../services/deadlines/deadline-settings.js';
import { notifyUntriagedDays } from '../../../services/deadlines/notify-untriaged-days.js';
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
  await api?.close();
  if (api) await clearRedisPrefix(api.config.redisPrefix);
  await t?.drop();
});

// Every day a working day, no bank holidays: the test holds whatever day it runs on.
const EVERY_DAY = { workingDays: [1, 2, 3, 4, 5, 6, 7], region: 'none' };

async function scene() {
  const school = await createSchool(t.db, { calendar: EVERY_DAY });
  const role = (r: 'comms' | 'senior_leader') =>
    createUser(t.db, { trustId: school.trustId, roles: [{ schoolId: school.id, role: r }] });
  const comms = await role('comms');
  const head = await role('senior_leader');
  const account = await createAccount(t.db, { schoolId: school.id, adminIds: [comms.id] });
  return { school, comms, head, account };
}

async function post(userId: string, url: string, payload: object) {
  const { headers } = await signIn(t.db, userId);
  return api.app.inject({ method: 'POST', url, headers, payload });
}

const today = () => DateTime.now().setZone('Europe/London').toISODate()!;
const report = (schoolId: string) =>
  deadlineReport(systemContext(t.db, 'test'), schoolId, { from: today(), to: today() });

describe('P1: any staff action on a comment is triage; untriaged days are found and told', () => {
  it('an internal "seen" is not triage; a moderation proposed by a person is', async () => {
    const s = await scene();
    const c = await createComment(t.db, { schoolId: s.school.id, accountId: s.account.id });
    expect((await post(s.comms.id, `/api/comments/${c.id}/responses`, { kind: 'seen' })).statusCode).toBe(
      201,
    );
    const gaps = (await report(s.school.id)).coverageGaps;
    expect(gaps).toMatchObject([{ accountId: s.account.id, date: today(), commentsReceived: 1 }]);

    await t.db.insert(moderationActions).values({
      schoolId: s.school.id,
      accountId: s.account.id,
      commentId: c.id,
      kind: 'hide',
      mode: 'platform',
      status: 'proposed',
      reasonCategory: 'offensive',
      reasonText: 'insults staff',
      proposedBy: s.comms.id,
    });
    expect((await report(s.school.id)).coverageGaps).toEqual([]);
  });

  it('an escalation raised by hand is triage', async () => {
    const s = await scene();
    const c = await createComment(t.db, { schoolId: s.school.id, accountId: s.account.id });
    const raised = await post(s.comms.id, `/api/comments/${c.id}/escalations`, {
      kind: 'senior_leader',
      reason: 'A parent says the head was rude at the gate',
    });
    expect(raised.statusCode, raised.body).toBeLessThan(300);
    expect((await report(s.school.id)).coverageGaps).toEqual([]);
  });

  it('a suspended account still owes the days it was live', async () => {
    const s = await scene();
    const res = await post(s.head.id, `/api/accounts/${s.account.id}/suspend`, { note: 'Term ended' });
    expect(res.statusCode, res.body).toBe(200);
    const gaps = (await report(s.school.id)).coverageGaps;
    expect(gaps).toMatchObject([{ accountId: s.account.id, accountStatus: 'suspended' }]);
  });

  it('the next working morning senior leaders are told once; a closure with nobody named is a warning', async () => {
    const s = await scene();
    await createComment(t.db, { schoolId: s.school.id, accountId: s.account.id });
    const tomorrow = DateTime.now().setZone('Europe/London').plus({ days: 1 }).set({ hour: 7, minute: 30 });
    const ctx = { ...systemContext(t.db, 'test'), schoolIds: [s.school.id] };
    const [outcome] = await notifyUntriagedDays(ctx, tomorrow.toJSDate());
    expect(outcome).toMatchObject({ day: today(), accounts: 1, notified: 1 });
    const told = await t.db
      .select()
      .from(notifications)
      .where(and(eq(notifications.userId, s.head.id), eq(notifications.event, 'monitoring.untriaged_day')));
    expect(told).toHaveLength(1);
    expect(told[0]!.title).toContain(today());
    await expectAuditEntry(t.db, {
      action: 'monitoring.untriaged_day',
      subjectId: s.school.id,
      details: { day: today() },
    });
    // A rerun tells nobody again.
    const [again] = await notifyUntriagedDays(ctx, tomorrow.toJSDate());
    expect(again).toMatchObject({ accounts: 0 });

    await t.db
      .update(schools)
      .set({
        calendar: { ...EVERY_DAY, closures: [{ from: today(), to: today(), label: 'Staff training day' }] },
      })
      .where(eq(schools.id, s.school.id));
    expect((await report(s.school.id)).closuresWithoutMonitor).toEqual([
      { from: today(), to: today(), label: 'Staff training day' },
    ]);
    await t.db
      .update(schools)
      .set({ closureMonitorIds: [s.head.id] })
      .where(eq(schools.id, s.school.id));
    expect((await report(s.school.id)).closuresWithoutMonitor).toEqual([]);
  });

  it("a closure monitor must be the school's own staff; bad settings are refused with what was wrong", async () => {
    const s = await scene();
    const other = await scene();
    const ctx = { ...systemContext(t.db, 'test') };
    const base = {
      holdingReplyTemplate: 'Thanks, we will reply soon.',
      followUpWorkingDays: 5,
      closureMonitorIds: [other.head.id],
      retentionMonths: 24,
      retention: {},
    };
    await expect(updateDeadlineSettings(ctx, s.school.id, base)).rejects.toThrow(
      'Closure monitors must be enabled staff of this school',
    );
    await expect(
      updateDeadlineSettings(ctx, s.school.id, { ...base, closureMonitorIds: [], followUpWorkingDays: 1e9 }),
    ).rejects.toThrow('at most 30 working days');
    await expect(
      updateDeadlineSettings(ctx, s.school.id, {
        ...base,
        closureMonitorIds: [],
        holdingReplyTemplate: 'a\u0000b',
      }),
    ).rejects.toThrow('NUL');
    const [school] = await t.db.select().from(schools).where(eq(schools.id, s.school.id));
    expect(school!.closureMonitorIds).toEqual([]);
  });
});
