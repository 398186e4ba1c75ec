import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '../../../sandbox/server.js';
import { buildTestApp, type TestApp } from '../../helpers/build-test-app.js';
import { createSchool, createTrust, createUser } from '../../helpers/factories.js';
import { signIn } from '../../helpers/sign-in.js';
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

async function approvedAccount(handle: string) {
  sandbox.state.createAccount({ username: handle });
  const res = await call(cast.comms, 'POST', '/api/accounts', proposal(cast, handle));
  expect(res.statusCode, res.body).toBe(201);
  const id = res.json().id as string;
  const decided = await call(cast.leader, 'POST', `/api/accounts/${id}/decision`, {
    decision: 'approve',
    note: 'OK',
  });
  expect(decided.statusCode, decided.body).toBe(200);
  return id;
}

const message = (who: typeof cast.adminA, id: string, code: string) =>
  call(who, 'GET', `/api/accounts/${id}/connect-outcome?code=${code}`);

describe('connect messages', () => {
  it('a never-connected account says it has not been connected yet, not that it must be made again', async () => {
    const id = await approvedAccount('OakfieldNever');
    const res = await call(cast.adminA, 'GET', `/api/accounts/${id}`);
    const blockers: string[] = res.json().governance.activationBlockers;
    expect(blockers).toContain(
      'the account has not been connected to the platform yet: an account admin presses Connect',
    );
    expect(blockers.join(' ')).not.toMatch(/made again|reconnect/);
  });

  it('the wrong account: says which one signed in, which was expected, and what to do', async () => {
    const id = await approvedAccount('OakfieldNews');
    sandbox.state.createAccount({ username: 'MyOwnAccount' });
    const back = await connectAs(api, cast.adminB, id, 'MyOwnAccount');
    expect(back.headers.location).toBe(`/accounts/${id}?connect_error=wrong_handle`);
    const res = await message(cast.adminB, id, 'wrong_handle');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({
      kind: 'error',
      text: 'You signed in to X as @MyOwnAccount, but this account is @OakfieldNews. Nothing was stored.',
      signedInAs: 'MyOwnAccount',
      expected: 'OakfieldNews',
      nextStep:
        'Sign out of @MyOwnAccount on X (or open a private window), sign in to X as @OakfieldNews, then press Connect again.',
    });
    // Another admin who did not try sees no one else's handle.
    const other = await message(cast.adminA, id, 'wrong_handle');
    expect(other.json()).toMatchObject({ signedInAs: null });
    expect(other.json().text).not.toContain('MyOwnAccount');
  });

  it('connecting, then reconnecting, each says so', async () => {
    const id = await approvedAccount('OakfieldSports');
    const first = await connectAs(api, cast.adminA, id, 'OakfieldSports');
    expect(first.headers.location).toBe(`/accounts/${id}?connected=new`);
    expect((await message(cast.adminA, id, 'new')).json()).toMatchObject({
      kind: 'success',
      text: 'Connected: Hallmonitor can now read and act for @OakfieldSports on X.',
      nextStep: 'Activate the account to start monitoring its comments.',
    });
    const again = await connectAs(api, cast.adminA, id, 'OakfieldSports');
    expect(again.headers.location).toBe(`/accounts/${id}?connected=again`);
    expect((await message(cast.adminA, id, 'again')).json()).toMatchObject({
      kind: 'success',
      text: 'Reconnected: Hallmonitor can read and act for @OakfieldSports on X again.',
    });
  });

  it('a refusal without an attempt behind it still says what to do; bad codes are 400', async () => {
    const id = await approvedAccount('OakfieldArts');
    const declined = await message(cast.adminA, id, 'precondition_failed');
    expect(declined.json()).toMatchObject({
      kind: 'error',
      text: 'X did not grant access, so nothing was connected.',
    });
    expect(declined.json().nextStep).toMatch(/Press Connect again/);
    const bad = await message(cast.adminA, id, '<script>');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toMatch(/code/);
  });

  it("another school's and another trust's people get 404", async () => {
    const id = await approvedAccount('OakfieldPrivate');
    const trust = await createTrust(t.db);
    const theirs = await createSchool(t.db, { trustId: trust.id });
    const stranger = await createUser(t.db, {
      trustId: trust.id,
      roles: [{ schoolId: theirs.id, role: 'trust_admin' }],
    });
    expect((await message(cast.outsider, id, 'wrong_handle')).statusCode).toBe(404);
    const res = await api.app.inject({
      url: `/api/accounts/${id}/connect-outcome?code=new`,
      headers: (await signIn(t.db, stranger.id)).headers,
    });
    expect(res.statusCode).toBe(404);
  });
});
