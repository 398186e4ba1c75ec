import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { socialAccounts } from '../../../db/schema/index.js';
import { type Sandbox, startSandbox } from '../../../sandbox/server.js';
import { openCredentials } from '../../../services/accounts/account-credentials.js';
import { JOBS } from '../../../workers/job-registry.js';
import { buildTestApp, type TestApp } from '../../helpers/build-test-app.js';
import { auditActions, expectAuditEntry } from '../../helpers/expect-audit-entry.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';
import { clearRedisPrefix } from '../../helpers/test-redis.js';
import { type Cast, caller, connectAs, governanceCast, proposal } from './accounts-fixture.js';

let t: TestDatabase;
let api: TestApp;
let sandbox: Sandbox;
let cast: Cast;
let call: ReturnType<typeof caller>;

beforeAll(async () => {
  t = await createTestDatabase();
  sandbox = await startSandbox({ port: 0 });
  api = await buildTestApp(t.db, {
    configOverrides: { X_API_BASE_URL: sandbox.url, POLL_INTERVAL_SECONDS: '90' },
  });
  cast = await governanceCast(t.db);
  call = caller(api);
});
afterAll(async () => {
  await api.close();
  await sandbox.close();
  await clearRedisPrefix(api.config.redisPrefix);
  await t.drop();
});

async function pollSchedulerKeys(): Promise<string[]> {
  const schedulers = await api.app.queues.poll.getJobSchedulers(0, -1);
  return schedulers.map((s) => s.key);
}

describe('an official account from proposal to retirement', () => {
  it('goes proposed → approved → connected → active ⇄ suspended → retired, audited at each step', async () => {
    sandbox.state.createAccount({ username: 'OakfieldPrimary', name: 'Oakfield Primary' });

    const proposed = await call(cast.comms, 'POST', '/api/accounts', proposal(cast, 'OakfieldPrimary'));
    expect(proposed.statusCode, proposed.body).toBe(201);
    const account = proposed.json();
    expect(account).toMatchObject({
      status: 'proposed',
      handle: 'OakfieldPrimary',
      proposedBy: cast.comms.id,
      settings: { offensiveThreshold: 'high', autoHide: true, twoAdminHide: false },
    });
    expect(account.admins.map((a: { userId: string }) => a.userId).sort()).toEqual(
      [cast.adminA.id, cast.adminB.id].sort(),
    );
    expect(account).not.toHaveProperty('credentialsEncrypted');
    const id: string = account.id;

    const approvals = await call(cast.leader, 'GET', '/api/accounts/approvals');
    expect(approvals.json().awaitingDecision.map((a: { id: string }) => a.id)).toContain(id);

    const approved = await call(cast.leader, 'POST', `/api/accounts/${id}/decision`, {
      decision: 'approve',
      note: 'Purpose is clear; two trained admins named.',
    });
    expect(approved.statusCode, approved.body).toBe(200);
    const reviewDue = new Date(approved.json().reviewDueAt);
    const inAYear = new Date();
    inAYear.setUTCMonth(inAYear.getUTCMonth() + 12);
    expect(Math.abs(reviewDue.getTime() - inAYear.getTime())).toBeLessThan(60_000);
    expect(approved.json()).toMatchObject({ status: 'approved', decidedBy: cast.leader.id });

    const policy = await call(cast.leader, 'PUT', `/api/schools/${cast.school.id}/policy`, {
      versionLabel: '2025-v1',
      documentUrl: 'https://oakfield.example/policies/social-media.pdf',
    });
    expect(policy.statusCode, policy.body).toBe(200);
    for (const admin of [cast.adminA, cast.adminB]) {
      const ack = await call(admin, 'POST', `/api/schools/${cast.school.id}/policy/acknowledgements`, {
        versionLabel: '2025-v1',
      });
      expect(ack.json()).toEqual({ versionLabel: '2025-v1', alreadyAcknowledged: false });
    }

    const callback = await connectAs(api, cast.adminA, id, 'OakfieldPrimary');
    expect(callback.statusCode).toBe(302);
    expect(callback.headers.location).toBe(`/accounts/${id}`);
    const [stored] = await t.db.select().from(socialAccounts).where(eq(socialAccounts.id, id));
    expect(stored).toMatchObject({
      status: 'connected',
      credentialStatus: 'valid',
      platformUserId: sandbox.state.user('OakfieldPrimary')!.id,
    });
    const credentials = openCredentials(api.config.encryptionKey, stored!.credentialsEncrypted!);
    expect(stored!.credentialsEncrypted).not.toContain(credentials.accessToken);
    expect(sandbox.state.tokenUser(credentials.accessToken)).toBe(stored!.platformUserId);
    expect((await call(cast.adminA, 'GET', `/api/accounts/${id}`)).body).not.toContain(
      credentials.accessToken,
    );

    expect(await pollSchedulerKeys()).not.toContain(JOBS['poll-account'].jobId({ accountId: id }));
    const activated = await call(cast.adminB, 'POST', `/api/accounts/${id}/activate`, { note: 'Go live' });
    expect(activated.statusCode, activated.body).toBe(200);
    expect(activated.json()).toMatchObject({ account: { status: 'active' }, polling: 'scheduled' });
    const schedulers = await api.app.queues.poll.getJobSchedulers(0, -1);
    const scheduler = schedulers.find((s) => s.key === JOBS['poll-account'].jobId({ accountId: id }));
    expect(scheduler?.every).toBe(90_000);

    const suspended = await call(cast.leader, 'POST', `/api/accounts/${id}/suspend`, {
      note: 'Half-term pause',
    });
    expect(suspended.json()).toMatchObject({ account: { status: 'suspended' }, polling: 'scheduled' });
    expect(await pollSchedulerKeys()).not.toContain(JOBS['poll-account'].jobId({ accountId: id }));

    const resumed = await call(cast.adminA, 'POST', `/api/accounts/${id}/activate`);
    expect(resumed.json().account.status).toBe('active');
    expect(await pollSchedulerKeys()).toContain(JOBS['poll-account'].jobId({ accountId: id }));

    const retired = await call(cast.leader, 'POST', `/api/accounts/${id}/retire`, {
      note: 'Replaced by the trust account',
    });
    expect(retired.statusCode, retired.body).toBe(200);
    expect(retired.json().account.status).toBe('retired');
    expect(await pollSchedulerKeys()).not.toContain(JOBS['poll-account'].jobId({ accountId: id }));
    const history = await call(cast.leader, 'GET', `/api/accounts/${id}`);
    expect(history.json()).toMatchObject({
      status: 'retired',
      decisionNote: 'Purpose is clear; two trained admins named.',
    });

    expect(await auditActions(t.db, id)).toEqual([
      'account.proposed',
      'account.approved',
      'account.connected',
      'account.activated',
      'account.suspended',
      'account.activated',
      'account.retired',
    ]);
    await expectAuditEntry(t.db, {
      action: 'account.approved',
      subjectId: id,
      actorId: cast.leader.id,
      details: { note: 'Purpose is clear; two trained admins named.' },
    });
    await expectAuditEntry(t.db, {
      action: 'account.suspended',
      subjectId: id,
      actorId: cast.leader.id,
      details: { from: 'active', to: 'suspended', note: 'Half-term pause' },
    });
    await expectAuditEntry(t.db, {
      action: 'account.retired',
      subjectId: id,
      details: { note: 'Replaced by the trust account' },
    });
  });

  it('describes every governance route in the OpenAPI document', async () => {
    const paths = Object.keys((await api.app.inject({ url: '/docs/json' })).json().paths);
    expect(paths).toEqual(
      expect.arrayContaining([
        '/api/accounts',
        '/api/accounts/{accountId}/decision',
        '/api/accounts/connect/callback',
        '/api/schools/{schoolId}/policy/acknowledgements',
      ]),
    );
  });

  it('refuses a callback whose state was already used', async () => {
    sandbox.state.createAccount({ username: 'OakfieldPTA' });
    const id = await approvedAccount('OakfieldPTA');
    const started = await call(cast.adminA, 'POST', `/api/accounts/${id}/connect`);
    const authorizeUrl = new URL(started.json().authorizeUrl);
    authorizeUrl.searchParams.set('sandbox_user', 'OakfieldPTA');
    const back = new URL((await fetch(authorizeUrl, { redirect: 'manual' })).headers.get('location')!);
    const first = await call(cast.adminA, 'GET', `${back.pathname}${back.search}`);
    expect(first.headers.location).toBe(`/accounts/${id}`);
    const replay = await call(cast.adminA, 'GET', `${back.pathname}${back.search}`);
    expect(replay.statusCode).toBe(302);
    expect(replay.headers.location).toBe('/accounts?connect_error=invalid_input');
  });

  it('refuses a callback from someone other than the admin who started it', async () => {
    sandbox.state.createAccount({ username: 'OakfieldSport' });
    const id = await approvedAccount('OakfieldSport');
    const started = await call(cast.adminA, 'POST', `/api/accounts/${id}/connect`);
    const authorizeUrl = new URL(started.json().authorizeUrl);
    authorizeUrl.searchParams.set('sandbox_user', 'OakfieldSport');
    const back = new URL((await fetch(authorizeUrl, { redirect: 'manual' })).headers.get('location')!);
    const res = await call(cast.adminB, 'GET', `${back.pathname}${back.search}`);
    expect(res.headers.location).toBe(`/accounts/${id}?connect_error=forbidden`);
    const [stored] = await t.db.select().from(socialAccounts).where(eq(socialAccounts.id, id));
    expect(stored).toMatchObject({ status: 'approved', credentialsEncrypted: null });
  });
});

async function approvedAccount(handle: string): Promise<string> {
  const proposed = await call(cast.comms, 'POST', '/api/accounts', proposal(cast, handle));
  expect(proposed.statusCode, proposed.body).toBe(201);
  const id: string = proposed.json().id;
  const approved = await call(cast.leader, 'POST', `/api/accounts/${id}/decision`, {
    decision: 'approve',
    note: 'Approved',
  });
  expect(approved.statusCode, approved.body).toBe(200);
  return id;
}
