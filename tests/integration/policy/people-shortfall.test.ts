import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountRisks, notifications, users } from '../../../db/schema/index.js';
import { systemContext } from '../../../services/core/service-context.js';
import { withTransaction } from '../../../services/core/with-transaction.js';
import { routeSafeguardingConcern } from '../../../services/moderation/escalation-routes.js';
import { recipientChain } from '../../../services/notifications/recipient-chain.js';
import { buildTestApp, type TestApp } from '../../helpers/build-test-app.js';
import { expectAuditEntry } from '../../helpers/expect-audit-entry.js';
import { createAccount, createComment, createSchool, createUser } from '../../helpers/factories.js';
import { signIn } from '../../helpers/sign-in.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';
import { clearRedisPrefix } from '../../helpers/test-redis.js';
import { type Cast, caller, governanceCast, type Person } from '../accounts/accounts-fixture.js';

let t: TestDatabase;
let api: TestApp;
let call: ReturnType<typeof caller>;
const DAY = 24 * 60 * 60 * 1000;

beforeAll(async () => {
  t = await createTestDatabase();
  api = await buildTestApp(t.db);
  call = caller(api);
});
afterAll(async () => {
  await api.close();
  await clearRedisPrefix(api.config.redisPrefix);
  await t.drop();
});

/** A school with a trust admin and an active account administered by A and B. */
async function setUp(): Promise<Cast & { trustAdmin: Person; accountId: string }> {
  const cast = await governanceCast(t.db);
  const ta = await createUser(t.db, {
    trustId: cast.school.trustId,
    displayName: 'Tara Trustadmin',
    roles: [{ schoolId: cast.school.id, role: 'trust_admin' }],
  });
  const account = await createAccount(t.db, {
    schoolId: cast.school.id,
    handle: 'oakfield',
    status: 'active',
    adminIds: [cast.adminA.id, cast.adminB.id],
  });
  return {
    ...cast,
    trustAdmin: { id: ta.id, headers: (await signIn(t.db, ta.id)).headers },
    accountId: account.id,
  };
}

const view = async (who: Person, accountId: string) =>
  (await call(who, 'GET', `/api/accounts/${accountId}`)).json();
const atRiskMode = (s: Cast, who: Person, replacementDays = 3) =>
  call(who, 'PUT', `/api/schools/${s.school.id}/people-settings`, {
    shortfallMode: 'at_risk',
    replacementDays,
  });

describe('P4: at least two working admins, always', () => {
  it('by default refuses to disable an admin, revoke their last role (leaving) or remove them, naming the account', async () => {
    const s = await setUp();
    const disabled = await call(s.trustAdmin, 'POST', `/api/users/${s.adminA.id}/disable`, {
      reason: 'Left',
    });
    expect(disabled.statusCode).toBe(422);
    expect(disabled.json().message).toMatch(
      /^Disabling Admin A is refused: @oakfield on X would have 1 working admin \(it needs 2\)/,
    );
    const [a] = await t.db.select().from(users).where(eq(users.id, s.adminA.id));
    expect(a!.disabledAt).toBeNull();

    const left = await call(s.trustAdmin, 'DELETE', `/api/users/${s.adminB.id}/roles/${s.school.id}/comms`);
    expect(left.statusCode).toBe(422);
    expect(left.json().message).toMatch(/^Revoking comms from Admin B is refused/);

    const removed = await call(s.leader, 'DELETE', `/api/accounts/${s.accountId}/admins/${s.adminA.id}`);
    expect(removed.statusCode).toBe(422);
    expect((await view(s.leader, s.accountId)).admins).toHaveLength(2);
    // A person who is not an admin anywhere is disabled as before.
    expect((await call(s.trustAdmin, 'POST', `/api/users/${s.comms.id}/disable`)).statusCode).toBe(200);
  });

  it('a school that allows it puts the account at risk: senior leaders told, replacement due in the set days, cleared by a new admin', async () => {
    const s = await setUp();
    expect((await atRiskMode(s, s.comms)).statusCode).toBe(403);
    const set = await atRiskMode(s, s.leader, 3);
    expect(set.statusCode, set.body).toBe(200);
    expect(set.json()).toMatchObject({ shortfallMode: 'at_risk', replacementDays: 3, atRisk: [] });
    await expectAuditEntry(t.db, {
      action: 'school.people_settings_changed',
      subjectId: s.school.id,
      actorId: s.leader.id,
    });

    const before = Date.now();
    const res = await call(s.trustAdmin, 'POST', `/api/users/${s.adminA.id}/disable`, {
      reason: 'Left the school',
    });
    expect(res.statusCode, res.body).toBe(200);
    const v = await view(s.leader, s.accountId);
    expect(v.status).toBe('active'); // polling continues
    expect(v.governance.atRisk).toBe(true);
    expect(v.governance.peopleRisk).toMatchObject({ reasons: ['too_few_admins'], overdue: false });
    const due = new Date(v.governance.peopleRisk.dueAt).getTime();
    expect(due).toBeGreaterThanOrEqual(before + 3 * DAY);
    expect(due).toBeLessThan(before + 4 * DAY);
    await expectAuditEntry(t.db, {
      action: 'account.at_risk',
      subjectId: s.accountId,
      actorId: s.trustAdmin.id,
      details: { reasons: ['too_few_admins'], workingAdmins: 1 },
    });
    const told = await t.db
      .select()
      .from(notifications)
      .where(and(eq(notifications.event, 'account.at_risk'), eq(notifications.subjectId, s.accountId)));
    expect(new Set(told.map((n) => n.userId))).toEqual(new Set([s.leader.id, s.leader2.id]));
    expect(told[0]!.title).toBe('@oakfield on X is at risk');
    expect(told[0]!.body).toContain('Disabling Admin A left @oakfield on X with fewer than 2 working admins');
    expect(told[0]!.body).toContain('within 3 days');

    // The settings page lists it; a new admin clears it.
    expect(
      (await call(s.leader, 'GET', `/api/schools/${s.school.id}/people-settings`)).json().atRisk,
    ).toHaveLength(1);
    const added = await call(s.leader, 'POST', `/api/accounts/${s.accountId}/admins`, {
      userId: s.adminC.id,
      trainingCompleted: true,
      acceptableUseSigned: true,
    });
    expect(added.statusCode, added.body).toBe(200);
    expect(added.json().governance.peopleRisk).toBeNull();
    await expectAuditEntry(t.db, {
      action: 'account.risk_cleared',
      subjectId: s.accountId,
      actorId: s.leader.id,
    });
  });

  it('an admin who leaves the school (last role revoked) no longer counts, even though still on the admin list', async () => {
    const s = await setUp();
    await atRiskMode(s, s.leader);
    const res = await call(s.trustAdmin, 'DELETE', `/api/users/${s.adminB.id}/roles/${s.school.id}/comms`);
    expect(res.statusCode, res.body).toBe(200);
    expect((await view(s.leader, s.accountId)).governance.peopleRisk.reasons).toEqual(['too_few_admins']);
    // Coming back clears it.
    const back = await call(s.trustAdmin, 'POST', `/api/users/${s.adminB.id}/roles`, {
      schoolId: s.school.id,
      role: 'comms',
    });
    expect(back.statusCode, back.body).toBe(201);
    expect((await view(s.leader, s.accountId)).governance.peopleRisk).toBeNull();
  });

  it('past the replacement deadline the account shows red on the accounts list, its page and the inbox', async () => {
    const s = await setUp();
    await atRiskMode(s, s.leader, 1);
    await call(s.trustAdmin, 'POST', `/api/users/${s.adminA.id}/disable`);
    const page = async (url: string) => (await call(s.comms, 'GET', url)).body;
    // At risk, not yet overdue: amber everywhere, no red.
    expect(await page('/')).toContain('Accounts at risk');
    expect(await page('/accounts')).not.toContain('risk-overdue');

    await t.db
      .update(accountRisks)
      .set({ dueAt: new Date(Date.now() - 60_000) })
      .where(eq(accountRisks.accountId, s.accountId));
    const list = await page('/accounts');
    expect(list).toMatch(new RegExp(`<tr data-account-id="${s.accountId}" class="risk-overdue"`));
    expect(list).toContain('At risk, replacement overdue: fewer than 2 working admins');
    const own = await page(`/accounts/${s.accountId}`);
    expect(own).toContain('class="risk-banner risk-overdue" role="alert"');
    const inbox = await page('/');
    expect(inbox).toContain('past their replacement deadline');
    expect(inbox).toMatch(
      /<li class="risk-overdue" data-account-id="[^"]+"><a href="\/accounts\/[^"]+">@oakfield on X<\/a>/,
    );
    expect((await view(s.leader, s.accountId)).status).toBe('active');
  });

  it('refuses bad settings with a message, and another school answers 404', async () => {
    const s = await setUp();
    const bad = await call(s.leader, 'PUT', `/api/schools/${s.school.id}/people-settings`, {
      shortfallMode: 'whatever',
      replacementDays: 3,
    });
    expect(bad.statusCode).toBe(400);
    const huge = await call(s.leader, 'PUT', `/api/schools/${s.school.id}/people-settings`, {
      shortfallMode: 'at_risk',
      replacementDays: 1e12,
    });
    expect(huge.statusCode).toBe(400);
    expect(huge.json().message).toContain('at most 90 days');
    const other = await call(s.leader, 'PUT', `/api/schools/${s.otherSchool.id}/people-settings`, {
      shortfallMode: 'at_risk',
      replacementDays: 3,
    });
    expect(other.statusCode).toBe(404);
    const form = await call(s.leader, 'POST', `/schools/${s.school.id}/settings/people`, {
      shortfallMode: 'at_risk',
      replacementDays: '0',
    });
    expect(form.statusCode).toBe(303);
  });
});

describe('P8: a safeguarding lead must exist', () => {
  it('a school without one cannot activate an account', async () => {
    const s = await setUp();
    const connected = await createAccount(t.db, {
      schoolId: s.school.id,
      status: 'connected',
      adminIds: [s.adminA.id, s.adminB.id],
    });
    await atRiskMode(s, s.leader);
    const gone = await call(
      s.trustAdmin,
      'DELETE',
      `/api/users/${s.dsl.id}/roles/${s.school.id}/safeguarding_lead`,
    );
    expect(gone.statusCode, gone.body).toBe(200);
    const v = await view(s.leader, connected.id);
    expect(v.governance.activationBlockers).toContain(
      'the school has no safeguarding lead: a trust admin must name one first',
    );
    const res = await call(s.leader, 'POST', `/api/accounts/${connected.id}/activate`, {});
    expect(res.statusCode).toBe(422);
    expect(res.json().message).toContain('the school has no safeguarding lead');
  });

  it('losing the last one is refused by default, or puts every active account at risk; naming one clears them', async () => {
    const s = await setUp();
    const second = await createAccount(t.db, {
      schoolId: s.school.id,
      handle: 'oakfield_pe',
      status: 'active',
      adminIds: [s.adminA.id, s.adminB.id, s.adminC.id],
    });
    const revoke = () =>
      call(s.trustAdmin, 'DELETE', `/api/users/${s.dsl.id}/roles/${s.school.id}/safeguarding_lead`);
    const refused = await revoke();
    expect(refused.statusCode).toBe(422);
    expect(refused.json().message).toContain('@oakfield on X would have no safeguarding lead at the school');
    expect(refused.json().message).toContain(
      '@oakfield_pe on X would have no safeguarding lead at the school',
    );

    await atRiskMode(s, s.leader);
    expect((await revoke()).statusCode).toBe(200);
    for (const id of [s.accountId, second.id]) {
      expect((await view(s.leader, id)).governance.peopleRisk.reasons).toEqual(['no_safeguarding_lead']);
    }
    const told = await t.db
      .select()
      .from(notifications)
      .where(and(eq(notifications.event, 'account.at_risk'), eq(notifications.userId, s.leader.id)));
    expect(told.at(-1)!.title).toBe('2 accounts are at risk');

    const named = await call(s.trustAdmin, 'POST', `/api/users/${s.comms.id}/roles`, {
      schoolId: s.school.id,
      role: 'safeguarding_lead',
    });
    expect(named.statusCode, named.body).toBe(201);
    for (const id of [s.accountId, second.id]) {
      expect((await view(s.leader, id)).governance.peopleRisk).toBeNull();
    }
  });
});

describe('an escalation never goes to nobody', () => {
  async function concernAt(schoolId: string, accountId: string) {
    const comment = await createComment(t.db, { schoolId, accountId });
    return withTransaction(systemContext(t.db, 'test'), async (tx) =>
      routeSafeguardingConcern(
        tx,
        systemContext(t.db, 'test'),
        {
          schoolId,
          commentId: comment.id,
          onAccount: '@x on X',
          schoolName: null,
        },
        { reason: 'test', summary: 'A disclosure', raisedBy: null, details: {} },
      ),
    );
  }

  it('falls back: safeguarding lead → senior leaders → the school trust admins → the trust admins of the trust', async () => {
    const trustSchool = await createSchool(t.db);
    const trustId = trustSchool.trustId;
    const school = await createSchool(t.db, { trustId });
    const account = await createAccount(t.db, { schoolId: school.id });
    const person = (role: 'safeguarding_lead' | 'senior_leader' | 'trust_admin', at = school.id) =>
      createUser(t.db, { trustId, roles: [{ schoolId: at, role }] });

    const elsewhere = await person('trust_admin', trustSchool.id);
    let r = await concernAt(school.id, account.id);
    expect(r).toMatchObject({ fallback: true, notified: [elsewhere.id] });
    const [n] = await t.db.select().from(notifications).where(eq(notifications.userId, elsewhere.id));
    expect(n!.body).toContain(
      "The school has no safeguarding lead or senior leader in Hallmonitor, so the trust's admins are told.",
    );

    const schoolAdmin = await person('trust_admin');
    r = await concernAt(school.id, account.id);
    expect(r.notified).toEqual([schoolAdmin.id]);

    const leader = await person('senior_leader');
    r = await concernAt(school.id, account.id);
    expect(r.notified).toEqual([leader.id]);

    const dsl = await person('safeguarding_lead');
    r = await concernAt(school.id, account.id);
    expect(r).toMatchObject({ fallback: false, notified: [dsl.id] });

    // A disabled lead is nobody: the chain moves on.
    await t.db.update(users).set({ disabledAt: new Date() }).where(eq(users.id, dsl.id));
    expect((await recipientChain(t.db, school.id, ['safeguarding_lead', 'senior_leader'])).userIds).toEqual([
      leader.id,
    ]);
  });
});
