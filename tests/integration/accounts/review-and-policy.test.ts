import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notifications, schools, socialAccounts } from '../../../db/schema/index.js';
import { findReviewsDue, sendReviewReminders } from '../../../services/accounts/review-reminders.js';
import { systemContext } from '../../../services/core/service-context.js';
import { JOBS } from '../../../workers/job-registry.js';
import { buildTestApp, type TestApp } from '../../helpers/build-test-app.js';
import { auditActions, expectAuditEntry } from '../../helpers/expect-audit-entry.js';
import { createAccount } from '../../helpers/factories.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';
import { clearRedisPrefix } from '../../helpers/test-redis.js';
import { type Cast, caller, governanceCast, type Person } from './accounts-fixture.js';

let t: TestDatabase;
let api: TestApp;
let cast: Cast;
let call: ReturnType<typeof caller>;
const DAY = 24 * 60 * 60 * 1000;

beforeAll(async () => {
  t = await createTestDatabase();
  api = await buildTestApp(t.db);
  cast = await governanceCast(t.db);
  call = caller(api);
});
afterAll(async () => {
  await api.close();
  await clearRedisPrefix(api.config.redisPrefix);
  await t.drop();
});

const ids = (list: { id: string }[]) => list.map((a) => a.id);

describe('policy acknowledgement', () => {
  it('a new version asks everyone again; admins who have not re-acknowledged in 14 days put the account at risk', async () => {
    const account = await createAccount(t.db, {
      schoolId: cast.school.id,
      status: 'active',
      adminIds: [cast.adminA.id, cast.adminB.id],
    });
    const set = (versionLabel: string) =>
      call(cast.leader, 'PUT', `/api/schools/${cast.school.id}/policy`, {
        versionLabel,
        documentUrl: `https://oakfield.example/${versionLabel}.pdf`,
      });
    const ack = (who: Person, versionLabel: string) =>
      call(who, 'POST', `/api/schools/${cast.school.id}/policy/acknowledgements`, { versionLabel });

    expect((await set('v1')).statusCode).toBe(200);
    await ack(cast.adminA, 'v1');
    await ack(cast.adminB, 'v1');
    expect((await set('v2')).statusCode).toBe(200);
    const asked = await t.db
      .select({ userId: notifications.userId })
      .from(notifications)
      .where(eq(notifications.event, 'policy.acknowledgement_requested'));
    expect(new Set(asked.map((n) => n.userId))).toEqual(
      new Set([cast.adminA.id, cast.adminB.id, cast.adminC.id, cast.comms.id]),
    );

    await ack(cast.adminA, 'v2');
    const fresh = (await call(cast.leader, 'GET', `/api/accounts/${account.id}`)).json();
    expect(fresh.governance).toMatchObject({
      policyVersionLabel: 'v2',
      acknowledgedAdmins: 1,
      atRisk: false,
    });
    expect(fresh.governance.unacknowledged).toContainEqual({
      userId: cast.adminB.id,
      displayName: 'Admin B',
      as: 'admin',
    });

    // Fifteen days later, Admin B still has not re-acknowledged.
    await t.db
      .update(schools)
      .set({ policyVersionAt: new Date(Date.now() - 15 * DAY) })
      .where(eq(schools.id, cast.school.id));
    const later = (await call(cast.leader, 'GET', `/api/accounts/${account.id}`)).json();
    expect(later.governance.atRisk).toBe(true);
    const approvals = (await call(cast.leader, 'GET', '/api/accounts/approvals')).json();
    expect(ids(approvals.atRisk)).toContain(account.id);
    const status = (await call(cast.leader, 'GET', `/api/schools/${cast.school.id}/policy`)).json();
    expect(status).toMatchObject({ versionLabel: 'v2', acknowledgedByMe: false });
    expect(status.outstanding.map((u: { userId: string }) => u.userId)).toContain(cast.adminB.id);
    const commsView = (await call(cast.comms, 'GET', `/api/schools/${cast.school.id}/policy`)).json();
    expect(commsView).not.toHaveProperty('outstanding');

    await ack(cast.adminB, 'v2');
    expect((await call(cast.leader, 'GET', `/api/accounts/${account.id}`)).json().governance.atRisk).toBe(
      false,
    );
    await expectAuditEntry(t.db, {
      action: 'policy.acknowledged',
      subjectId: cast.adminB.id,
      details: { versionLabel: 'v2' },
    });
    await expectAuditEntry(t.db, {
      action: 'school.policy_version_set',
      subjectId: cast.school.id,
      details: { previousVersionLabel: 'v1', versionLabel: 'v2' },
    });
  });

  it('keeps the approvals view to senior leaders', async () => {
    const res = await call(cast.comms, 'GET', '/api/accounts/approvals');
    expect(res.statusCode).toBe(403);
  });
});

describe('review', () => {
  it('shows an overdue review, re-approves it for another 12 months, or suspends and stops polling', async () => {
    const account = await createAccount(t.db, {
      schoolId: cast.school.id,
      status: 'active',
      adminIds: [cast.adminA.id, cast.adminB.id],
    });
    await t.db
      .update(socialAccounts)
      .set({ reviewDueAt: new Date(Date.now() - DAY) })
      .where(eq(socialAccounts.id, account.id));
    await api.app.pollScheduler.startPolling(account.id, 60);

    const shown = (await call(cast.adminA, 'GET', `/api/accounts/${account.id}`)).json();
    expect(shown.governance.reviewOverdue).toBe(true);
    const approvals = (await call(cast.leader, 'GET', '/api/accounts/approvals')).json();
    expect(ids(approvals.reviewsDue)).toContain(account.id);

    const byAdmin = await call(cast.adminA, 'POST', `/api/accounts/${account.id}/review`, {
      outcome: 'reapprove',
      note: 'Fine',
    });
    expect(byAdmin.statusCode).toBe(403);

    const reapproved = await call(cast.leader, 'POST', `/api/accounts/${account.id}/review`, {
      outcome: 'reapprove',
      note: 'Reviewed with the comms team; still needed',
    });
    expect(reapproved.statusCode, reapproved.body).toBe(200);
    const body = reapproved.json();
    expect(body.account.status).toBe('active');
    expect(body.account.governance.reviewOverdue).toBe(false);
    expect(new Date(body.account.reviewDueAt).getTime()).toBeGreaterThan(Date.now() + 360 * DAY);

    const suspended = await call(cast.leader2, 'POST', `/api/accounts/${account.id}/review`, {
      outcome: 'suspend',
      note: 'No longer used',
    });
    expect(suspended.json()).toMatchObject({ account: { status: 'suspended' }, polling: 'scheduled' });
    const keys = (await api.app.queues.poll.getJobSchedulers(0, -1)).map((s) => s.key);
    expect(keys).not.toContain(JOBS['poll-account'].jobId({ accountId: account.id }));
    expect(await auditActions(t.db, account.id)).toEqual([
      'account.reviewed',
      'account.reviewed',
      'account.suspended',
    ]);
  });

  it('reminds senior leaders of reviews due within 30 days, at most once a week per account', async () => {
    const soon = await createAccount(t.db, { schoolId: cast.school.id, status: 'active' });
    const later = await createAccount(t.db, { schoolId: cast.school.id, status: 'active' });
    const retired = await createAccount(t.db, { schoolId: cast.school.id, status: 'retired' });
    const now = new Date();
    await t.db
      .update(socialAccounts)
      .set({ reviewDueAt: new Date(now.getTime() + 10 * DAY) })
      .where(eq(socialAccounts.id, soon.id));
    await t.db
      .update(socialAccounts)
      .set({ reviewDueAt: new Date(now.getTime() + 90 * DAY) })
      .where(eq(socialAccounts.id, later.id));
    await t.db
      .update(socialAccounts)
      .set({ reviewDueAt: new Date(now.getTime() - 10 * DAY) })
      .where(eq(socialAccounts.id, retired.id));

    const system = systemContext(t.db, 'review reminders');
    const due = ids(await findReviewsDue(system, now));
    expect(due).toContain(soon.id);
    expect(due).not.toContain(later.id);
    expect(due).not.toContain(retired.id);

    const first = await sendReviewReminders(system, now);
    expect(first.reminded).toContain(soon.id);
    const sentTo = async () =>
      t.db
        .select({ userId: notifications.userId })
        .from(notifications)
        .where(and(eq(notifications.event, 'account.review_due'), eq(notifications.subjectId, soon.id)));
    expect(new Set((await sentTo()).map((n) => n.userId))).toEqual(
      new Set([cast.leader.id, cast.leader2.id]),
    );

    const sameDay = await sendReviewReminders(system, now);
    expect(sameDay.skipped).toContain(soon.id);
    expect(await sentTo()).toHaveLength(2);

    const nextWeek = await sendReviewReminders(system, new Date(now.getTime() + 8 * DAY));
    expect(nextWeek.reminded).toContain(soon.id);
    expect(await sentTo()).toHaveLength(4);
  });
});

describe('settings', () => {
  it('admins change moderation settings, audited with before and after; auditors may not', async () => {
    const account = await createAccount(t.db, {
      schoolId: cast.school.id,
      status: 'connected',
      adminIds: [cast.adminA.id, cast.adminB.id],
    });
    const byAuditor = await call(cast.auditor, 'PATCH', `/api/accounts/${account.id}/settings`, {
      settings: { autoHide: true },
    });
    expect(byAuditor.statusCode).toBe(403);
    const res = await call(cast.adminA, 'PATCH', `/api/accounts/${account.id}/settings`, {
      settings: { autoHide: true, twoAdminHide: true, offensiveThreshold: 'low' },
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().account.settings).toMatchObject({
      autoHide: true,
      twoAdminHide: true,
      offensiveThreshold: 'low',
    });
    await expectAuditEntry(t.db, {
      action: 'account.settings_changed',
      subjectId: account.id,
      actorId: cast.adminA.id,
      details: { before: { settings: { autoHide: false } }, after: { settings: { autoHide: true } } },
    });
  });
});
