import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEntries, socialAccounts } from '../../../db/schema/index.js';
import { type Sandbox, startSandbox } from '../../../sandbox/server.js';
import { openCredentials } from '../../../services/accounts/account-credentials.js';
import { buildTestApp, type TestApp } from '../../helpers/build-test-app.js';
import { createAccount, createSchool, createUser } from '../../helpers/factories.js';
import { signIn } from '../../helpers/sign-in.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';
import { clearRedisPrefix } from '../../helpers/test-redis.js';

// Connecting a Bluesky account through the staff pages: the account page links to the app
// password form, the form's post signs in to the XRPC sandbox, and only the approved handle is
// stored (encrypted); the page then says what happened.

let t: TestDatabase;
let sandbox: Sandbox;
let api: TestApp;
let n = 0;

beforeAll(async () => {
  t = await createTestDatabase();
  sandbox = await startSandbox({ port: 0, host: '127.0.0.1' });
  api = await buildTestApp(t.db, { configOverrides: { BLUESKY_SERVICE_URL: sandbox.bluesky.serviceUrl } });
});
afterAll(async () => {
  await clearRedisPrefix(api.config.redisPrefix);
  await api.close();
  await sandbox.close();
  await t.drop();
});

async function scene() {
  n += 1;
  const b = sandbox.bluesky.state;
  const handle = `oakfield${n}.bsky.social`;
  const school = b.addActor({ handle, displayName: `Oakfield ${n}`, appPassword: '' });
  const other = b.addActor({ handle: `headteacher${n}.bsky.social`, appPassword: '' });
  const s = await createSchool(t.db, { name: `Oakfield Primary ${n}` });
  const roles = [{ schoolId: s.id, role: 'comms' as const }];
  const [a, c] = await Promise.all([
    createUser(t.db, { trustId: s.trustId, roles, displayName: 'Admin A' }),
    createUser(t.db, { trustId: s.trustId, roles, displayName: 'Comms C' }),
  ]);
  const b2 = await createUser(t.db, { trustId: s.trustId, roles, displayName: 'Admin B' });
  const account = await createAccount(t.db, {
    schoolId: s.id,
    platform: 'bluesky',
    handle,
    status: 'approved',
    credentialStatus: 'none',
    adminIds: [a!.id, b2.id],
  });
  await t.db.update(socialAccounts).set({ platformUserId: null }).where(eq(socialAccounts.id, account.id));
  return { handle, school, other, account, admin: a!, comms: c! };
}

async function submit(userId: string, accountId: string, form: Record<string, string>) {
  const { headers } = await signIn(t.db, userId);
  const res = await api.app.inject({
    method: 'POST',
    url: `/accounts/${accountId}/connect/bluesky`,
    headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ _csrf: headers['x-csrf-token']!, ...form }).toString(),
  });
  return { res, headers };
}

/** the page a form post sent the browser back to, with the flash it left */
async function follow(
  res: { headers: Record<string, unknown>; cookies: { name: string; value: string }[] },
  headers: Record<string, string>,
) {
  const flash = res.cookies.find((c) => c.name === 'hm_flash');
  return api.app.inject({
    url: String(res.headers.location),
    headers: { cookie: `${headers.cookie}${flash ? `; hm_flash=${flash.value}` : ''}` },
  });
}

async function row(id: string) {
  const [r] = await t.db.select().from(socialAccounts).where(eq(socialAccounts.id, id));
  return r!;
}

describe('connecting a Bluesky account with an app password', () => {
  it('links from the account page to the form, signs in, stores the session encrypted and says it is connected', async () => {
    const s = await scene();
    const { headers } = await signIn(t.db, s.admin.id);
    const accountPage = await api.app.inject({ url: `/accounts/${s.account.id}`, headers });
    expect(accountPage.body).toContain(`href="/accounts/${s.account.id}/connect/bluesky"`);
    expect(accountPage.body).toContain('Connect to Bluesky');
    const form = await api.app.inject({ url: `/accounts/${s.account.id}/connect/bluesky`, headers });
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain('App passwords');
    // What the person will see in Bluesky: letters and digits, not "four groups of four letters".
    expect(form.body).toContain('four groups of four letters and digits, like abcd-1234-efgh-5678');
    expect(form.body).toContain(`value="${s.handle}"`);
    expect(form.body).toContain('type="password"');

    const { res } = await submit(s.admin.id, s.account.id, {
      handle: `@${s.handle.toUpperCase()}`,
      appPassword: s.school.appPassword!,
    });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(`/accounts/${s.account.id}?connected=new`);
    const r = await row(s.account.id);
    expect(r).toMatchObject({
      status: 'connected',
      credentialStatus: 'valid',
      platformUserId: s.school.actor.did,
    });
    expect(r.credentialsEncrypted).not.toContain(s.school.appPassword!);
    const stored = openCredentials(api.config.encryptionKey, r.credentialsEncrypted!);
    expect(stored.secret).toBe(s.school.appPassword);
    // the stored session is a live one on Bluesky
    expect(sandbox.bluesky.state.authenticate(stored.accessToken)).toBe(s.school.actor.did);
    const [audit] = await t.db
      .select()
      .from(auditEntries)
      .where(and(eq(auditEntries.subjectId, s.account.id), eq(auditEntries.action, 'account.connected')));
    expect(audit!.details).toMatchObject({
      from: 'approved',
      to: 'connected',
      platformUserId: s.school.actor.did,
    });
    expect(JSON.stringify(audit!.details)).not.toContain(s.school.appPassword!);

    const message = await api.app.inject({ url: res.headers.location as string, headers });
    expect(message.body).toContain(
      `Connected: Hallmonitor can now read and act for @${s.handle} on Bluesky.`,
    );
  });

  it('another account’s app password is refused, audited, and the page says which account signed in', async () => {
    const s = await scene();
    const { res, headers } = await submit(s.admin.id, s.account.id, {
      handle: s.other.actor.handle,
      appPassword: s.other.appPassword!,
    });
    expect(res.headers.location).toBe(`/accounts/${s.account.id}?connect_error=wrong_handle`);
    expect(await row(s.account.id)).toMatchObject({
      status: 'approved',
      credentialStatus: 'none',
      platformUserId: null,
    });
    const page = await api.app.inject({ url: res.headers.location as string, headers });
    expect(page.body).toContain(
      `You signed in to Bluesky as @${s.other.actor.handle}, but this account is @${s.handle}. Nothing was stored.`,
    );
    expect(page.body).toContain(`Make an app password while signed in to Bluesky as @${s.handle}`);
    const [refused] = await t.db
      .select()
      .from(auditEntries)
      .where(
        and(eq(auditEntries.subjectId, s.account.id), eq(auditEntries.action, 'account.connect_refused')),
      );
    expect(refused!.details).toMatchObject({ reason: 'wrong_handle', connectedHandle: s.other.actor.handle });
  });

  it('a wrong or revoked app password goes back to the form with the error, storing nothing', async () => {
    const s = await scene();
    const { res, headers } = await submit(s.admin.id, s.account.id, {
      handle: s.handle,
      appPassword: 'wrong-pass-word-here',
    });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(`/accounts/${s.account.id}/connect/bluesky`);
    const form = await follow(res, headers);
    expect(form.body).toContain('There is a problem');
    expect(form.body).toContain('Bluesky refused that handle and app password');
    expect(await row(s.account.id)).toMatchObject({ status: 'approved', credentialStatus: 'none' });

    const blank = await submit(s.admin.id, s.account.id, { handle: s.handle, appPassword: '' });
    const again = await follow(blank.res, blank.headers);
    expect(again.body).toContain('Enter the app password');
  });

  it('only the account’s admins may connect it', async () => {
    const s = await scene();
    const { res } = await submit(s.comms.id, s.account.id, {
      handle: s.handle,
      appPassword: s.school.appPassword!,
    });
    expect(res.statusCode).toBe(403);
    expect(await row(s.account.id)).toMatchObject({ status: 'approved', credentialStatus: 'none' });
  });
});
