import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schools, socialAccounts } from '../../../db/schema/index.js';
import { type Sandbox, startSandbox } from '../../../sandbox/server.js';
import { JOBS } from '../../../workers/job-registry.js';
import { buildTestApp, type TestApp } from '../../helpers/build-test-app.js';
import { auditActions, expectAuditEntry } from '../../helpers/expect-audit-entry.js';
import { createAccount } from '../../helpers/factories.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';
import { clearRedisPrefix } from '../../helpers/test-redis.js';
import { type Cast, caller, confirmed, connectAs, governanceCast, proposal } from './accounts-fixture.js';

let t: TestDatabase;
let api: TestApp;
let sandbox: Sandbox;
let cast: Cast;
let call: ReturnType<typeof caller>;

beforeAll(async () => {
  t = await createTestDatabase();
  sandbox = await startSandbox({ port: 0 });
  api = await buildTestApp(t.db, { configOverrides: { X_API_BASE_URL: sandbox.url } });
  cast = await governanceCast(t.db);
  call = caller(api);
});
afterAll(async () => {
  await api.close();
  await sandbox.close();
  await clearRedisPrefix(api.config.redisPrefix);
  await t.drop();
});

async function propose(handle: string, by = cast.comms) {
  const res = await call(by, 'POST', '/api/accounts', proposal(cast, handle));
  expect(res.statusCode, res.body).toBe(201);
  return res.json().id as string;
}

async function approve(id: string) {
  const res = await call(cast.leader, 'POST', `/api/accounts/${id}/decision`, {
    decision: 'approve',
    note: 'OK',
  });
  expect(res.statusCode, res.body).toBe(200);
}

async function setPolicy(versionLabel: string, acknowledgedBy: { headers: Record<string, string> }[]) {
  const set = await call(cast.leader, 'PUT', `/api/schools/${cast.school.id}/policy`, {
    versionLabel,
    documentUrl: `https://oakfield.example/policy-${versionLabel}.pdf`,
  });
  expect(set.statusCode, set.body).toBe(200);
  for (const who of acknowledgedBy) {
    const ack = await api.app.inject({
      method: 'POST',
      url: `/api/schools/${cast.school.id}/policy/acknowledgements`,
      headers: who.headers,
      payload: { versionLabel },
    });
    expect(ack.statusCode, ack.body).toBe(200);
  }
}

const pollKey = (accountId: string) => JOBS['poll-account'].jobId({ accountId });
const schedulerKeys = async () => (await api.app.queues.poll.getJobSchedulers(0, -1)).map((s) => s.key);

describe('proposals', () => {
  it("takes each platform's handles as the platform writes them, and refuses others naming the field", async () => {
    for (const [platform, handle] of [
      ['bluesky', 'oak-field-primary.bsky.social'],
      ['bluesky', 'social.oakfield.sch.uk'],
      ['youtube', 'oakfield-primary'],
    ] as const) {
      const res = await call(cast.comms, 'POST', '/api/accounts', {
        ...proposal(cast, handle),
        platform,
      });
      expect(res.statusCode, res.body).toBe(201);
      expect(res.json().handle).toBe(handle);
    }
    for (const [platform, handle, message] of [
      ['bluesky', 'oakfield', /a domain name/],
      ['bluesky', 'oak_field.bsky.social', /a domain name/],
      ['youtube', 'oak field', /3 to 30 letters/],
      ['x', 'oak-field', /letters, digits, _ or \./],
    ] as const) {
      const res = await call(cast.comms, 'POST', '/api/accounts', { ...proposal(cast, handle), platform });
      expect(res.statusCode, res.body).toBe(400);
      expect(res.json().message).toMatch(message);
      expect(res.json().message).toMatch(/handle/);
    }
  });

  it('refuses a proposal with one admin', async () => {
    const res = await call(
      cast.comms,
      'POST',
      '/api/accounts',
      proposal(cast, 'one_admin', [cast.adminA.id]),
    );
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toMatch(/at least two admins/);
  });

  it('refuses the same person named twice as the two admins', async () => {
    const res = await call(
      cast.comms,
      'POST',
      '/api/accounts',
      proposal(cast, 'same_admin', [cast.adminA.id, cast.adminA.id]),
    );
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toMatch(/two different admins/);
  });

  it('refuses an admin whose training is not confirmed', async () => {
    const body = {
      ...proposal(cast, 'untrained'),
      admins: [confirmed(cast.adminA.id), { ...confirmed(cast.adminB.id), trainingCompleted: false }],
    };
    const res = await call(cast.comms, 'POST', '/api/accounts', body);
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toMatch(/training/);
  });

  it('refuses an admin from another school', async () => {
    const res = await call(
      cast.comms,
      'POST',
      '/api/accounts',
      proposal(cast, 'foreign_admin', [cast.adminA.id, cast.outsider.id]),
    );
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toMatch(/member of staff at this school/);
  });

  it('refuses an auditor, and answers 404 to a user of another school', async () => {
    const byAuditor = await call(cast.auditor, 'POST', '/api/accounts', proposal(cast, 'by_auditor'));
    expect(byAuditor.statusCode).toBe(403);
    expect(byAuditor.json().message).toMatch(/propose/);
    const byOutsider = await call(cast.outsider, 'POST', '/api/accounts', proposal(cast, 'by_outsider'));
    expect(byOutsider.statusCode).toBe(404);
  });
});

describe('decisions', () => {
  it('refuses self-approval; another senior leader may approve', async () => {
    const id = await propose('self_approved', cast.leader);
    const self = await call(cast.leader, 'POST', `/api/accounts/${id}/decision`, {
      decision: 'approve',
      note: 'Looks fine to me',
    });
    expect(self.statusCode).toBe(403);
    expect(self.json().message).toMatch(/another senior leader/);
    expect(await auditActions(t.db, id)).toEqual(['account.proposed']);
    const other = await call(cast.leader2, 'POST', `/api/accounts/${id}/decision`, {
      decision: 'approve',
      note: 'Checked',
    });
    expect(other.statusCode).toBe(200);
  });

  it('refuses comms staff, a decision without a note, and 404s another school', async () => {
    const id = await propose('needs_leader');
    const byComms = await call(cast.adminA, 'POST', `/api/accounts/${id}/decision`, {
      decision: 'approve',
      note: 'Fine',
    });
    expect(byComms.statusCode).toBe(403);
    const noNote = await call(cast.leader, 'POST', `/api/accounts/${id}/decision`, {
      decision: 'approve',
      note: '  ',
    });
    expect(noNote.statusCode).toBe(400);
    const outsider = await call(cast.outsider, 'POST', `/api/accounts/${id}/decision`, {
      decision: 'approve',
      note: 'Fine',
    });
    expect(outsider.statusCode).toBe(404);
    expect((await call(cast.outsider, 'GET', `/api/accounts/${id}`)).statusCode).toBe(404);
    const list = await call(cast.outsider, 'GET', '/api/accounts');
    expect(list.json().accounts.map((a: { id: string }) => a.id)).not.toContain(id);
  });

  it('a rejected proposal is audited with its note and cannot then be approved', async () => {
    const id = await propose('rejected_one');
    const rejected = await call(cast.leader, 'POST', `/api/accounts/${id}/decision`, {
      decision: 'reject',
      note: 'We already have an account for this audience',
    });
    expect(rejected.json()).toMatchObject({ status: 'rejected', reviewDueAt: null });
    const again = await call(cast.leader2, 'POST', `/api/accounts/${id}/decision`, {
      decision: 'approve',
      note: 'Changed my mind',
    });
    expect(again.statusCode).toBe(409);
    expect(again.json().message).toMatch(/it is rejected/);
    expect(await auditActions(t.db, id)).toEqual(['account.proposed', 'account.rejected']);
    await expectAuditEntry(t.db, {
      action: 'account.rejected',
      subjectId: id,
      actorId: cast.leader.id,
      details: { note: 'We already have an account for this audience' },
    });
  });
});

describe('connecting', () => {
  it('refuses a platform account that is not the approved handle, and stores nothing', async () => {
    sandbox.state.createAccount({ username: 'OakfieldNews' });
    sandbox.state.createAccount({ username: 'SomeoneElse' });
    const id = await propose('OakfieldNews');
    await approve(id);
    const res = await connectAs(api, cast.adminB, id, 'SomeoneElse');
    expect(res.statusCode).toBe(302);
    expect(res.headers.location).toBe(`/accounts/${id}?connect_error=wrong_handle`);
    const [row] = await t.db.select().from(socialAccounts).where(eq(socialAccounts.id, id));
    expect(row).toMatchObject({
      status: 'approved',
      credentialsEncrypted: null,
      credentialStatus: 'none',
      platformUserId: null,
    });
    await expectAuditEntry(t.db, {
      action: 'account.connect_refused',
      subjectId: id,
      actorId: cast.adminB.id,
      details: { reason: 'wrong_handle', expectedHandle: 'OakfieldNews', connectedHandle: 'SomeoneElse' },
    });
  });

  it('lets only an admin of the account start connecting, and only once approved', async () => {
    const id = await propose('not_yet_approved');
    const early = await call(cast.adminA, 'POST', `/api/accounts/${id}/connect`);
    expect(early.statusCode).toBe(409);
    await approve(id);
    const byLeader = await call(cast.leader, 'POST', `/api/accounts/${id}/connect`);
    expect(byLeader.statusCode).toBe(403);
    expect(byLeader.json().message).toMatch(/assigned admins/);
  });
});

describe('activation', () => {
  it('refuses while fewer than two admins have acknowledged the current policy, then starts polling', async () => {
    const account = await createAccount(t.db, {
      schoolId: cast.school.id,
      status: 'connected',
      adminIds: [cast.adminA.id, cast.adminB.id],
    });
    const noPolicy = await call(cast.adminA, 'POST', `/api/accounts/${account.id}/activate`);
    expect(noPolicy.statusCode).toBe(422);
    expect(noPolicy.json().message).toMatch(/not recorded its social media policy/);

    await setPolicy('act-1', [cast.adminA]);
    const oneAck = await call(cast.adminA, 'POST', `/api/accounts/${account.id}/activate`);
    expect(oneAck.statusCode).toBe(422);
    expect(oneAck.json().message).toMatch(/at least two admins must acknowledge policy version act-1/);
    expect(await schedulerKeys()).not.toContain(pollKey(account.id));
    expect(await auditActions(t.db, account.id)).toEqual([]);

    const ack = await call(cast.adminB, 'POST', `/api/schools/${cast.school.id}/policy/acknowledgements`, {
      versionLabel: 'act-1',
    });
    expect(ack.statusCode).toBe(200);
    const ok = await call(cast.adminA, 'POST', `/api/accounts/${account.id}/activate`);
    expect(ok.statusCode, ok.body).toBe(200);
    expect(await schedulerKeys()).toContain(pollKey(account.id));
    expect(await auditActions(t.db, account.id)).toEqual(['account.activated']);

    const twice = await call(cast.adminA, 'POST', `/api/accounts/${account.id}/activate`);
    expect(twice.statusCode).toBe(422);
    const suspend = await call(cast.adminB, 'POST', `/api/accounts/${account.id}/suspend`, {
      note: 'Paused',
    });
    expect(suspend.statusCode).toBe(200);
    expect(await schedulerKeys()).not.toContain(pollKey(account.id));
    const suspendAgain = await call(cast.adminB, 'POST', `/api/accounts/${account.id}/suspend`, {
      note: 'x',
    });
    expect(suspendAgain.statusCode).toBe(409);
  });

  it('refuses a comms user who is not an admin, and a retire by an admin who is not a senior leader', async () => {
    const account = await createAccount(t.db, {
      schoolId: cast.school.id,
      status: 'active',
      adminIds: [cast.adminA.id, cast.adminB.id],
    });
    const byComms = await call(cast.comms, 'POST', `/api/accounts/${account.id}/suspend`, { note: 'x' });
    expect(byComms.statusCode).toBe(403);
    const retire = await call(cast.adminA, 'POST', `/api/accounts/${account.id}/retire`, { note: 'x' });
    expect(retire.statusCode).toBe(403);
    const byAuditor = await call(cast.auditor, 'POST', `/api/accounts/${account.id}/activate`);
    expect(byAuditor.statusCode).toBe(403);
  });
});

describe('admins', () => {
  it('refuses removing the second admin of an active account; a hand-over keeps two', async () => {
    const account = await createAccount(t.db, {
      schoolId: cast.school.id,
      status: 'active',
      adminIds: [cast.adminA.id, cast.adminB.id],
    });
    const added = await call(
      cast.adminA,
      'POST',
      `/api/accounts/${account.id}/admins`,
      confirmed(cast.adminC.id),
    );
    expect(added.statusCode, added.body).toBe(200);
    expect(added.json().admins).toHaveLength(3);

    const first = await call(cast.leader, 'DELETE', `/api/accounts/${account.id}/admins/${cast.adminC.id}`);
    expect(first.statusCode, first.body).toBe(200);
    const second = await call(cast.leader, 'DELETE', `/api/accounts/${account.id}/admins/${cast.adminB.id}`);
    expect(second.statusCode).toBe(422);
    expect(second.json().message).toMatch(/must keep at least 2 admins/);

    const handedOver = await call(cast.adminB, 'POST', `/api/accounts/${account.id}/admins/hand-over`, {
      fromUserId: cast.adminB.id,
      to: confirmed(cast.adminC.id),
      note: 'Maternity leave',
    });
    expect(handedOver.statusCode, handedOver.body).toBe(200);
    expect(
      handedOver
        .json()
        .admins.map((a: { userId: string }) => a.userId)
        .sort(),
    ).toEqual([cast.adminA.id, cast.adminC.id].sort());
    expect(await auditActions(t.db, account.id)).toEqual([
      'account.admin_added',
      'account.admin_removed',
      'account.admin_added',
      'account.admin_removed',
    ]);
    await expectAuditEntry(t.db, {
      action: 'account.admin_removed',
      subjectId: account.id,
      details: { userId: cast.adminB.id, handOver: { from: cast.adminB.id, to: cast.adminC.id } },
    });
  });

  it('allows removing an admin while the account is not active', async () => {
    const account = await createAccount(t.db, {
      schoolId: cast.school.id,
      status: 'suspended',
      adminIds: [cast.adminA.id, cast.adminB.id],
    });
    const res = await call(cast.leader, 'DELETE', `/api/accounts/${account.id}/admins/${cast.adminB.id}`, {
      note: 'Left the school',
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().governance.activationBlockers).toContain('an account needs at least two admins');
  });
});

describe('policy versions', () => {
  it('refuses a reused label, an out-of-date acknowledgement, and comms staff recording a version', async () => {
    await setPolicy('pv-1', []);
    const reuse = await call(cast.leader, 'PUT', `/api/schools/${cast.school.id}/policy`, {
      versionLabel: 'pv-1',
      documentUrl: 'https://oakfield.example/p.pdf',
    });
    expect(reuse.statusCode).toBe(409);
    const byComms = await call(cast.comms, 'PUT', `/api/schools/${cast.school.id}/policy`, {
      versionLabel: 'pv-2',
      documentUrl: 'https://oakfield.example/p.pdf',
    });
    expect(byComms.statusCode).toBe(403);
    const stale = await call(cast.comms, 'POST', `/api/schools/${cast.school.id}/policy/acknowledgements`, {
      versionLabel: 'pv-0',
    });
    expect(stale.statusCode).toBe(409);
    expect(stale.json().message).toMatch(/current policy is version "pv-1"/);
    const [school] = await t.db.select().from(schools).where(eq(schools.id, cast.school.id));
    expect(school?.policyVersionLabel).toBe('pv-1');
  });
});
