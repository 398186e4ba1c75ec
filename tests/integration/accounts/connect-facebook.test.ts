import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEntries, socialAccounts } from '../../../db/schema/index.js';
import { type Sandbox, startSandbox } from '../../../sandbox/server.js';
import { openCredentials } from '../../../services/accounts/account-credentials.js';
import { buildTestApp, type TestApp } from '../../helpers/build-test-app.js';
import { createAccount, createSchool, createUser } from '../../helpers/factories.js';
import { signIn } from '../../helpers/sign-in.js';
import { metaTestEnv } from '../../helpers/test-config.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';
import { clearRedisPrefix } from '../../helpers/test-redis.js';

let t: TestDatabase;
let sandbox: Sandbox;
let api: TestApp;
let n = 0;

beforeAll(async () => {
  t = await createTestDatabase();
  sandbox = await startSandbox({ port: 0, host: '127.0.0.1' });
  api = await buildTestApp(t.db, { configOverrides: metaTestEnv(sandbox.url) });
});
afterAll(async () => {
  await clearRedisPrefix(api.config.redisPrefix);
  await api.close();
  await sandbox.close();
  await t.drop();
});

/** A school's approved Facebook (or Instagram) account, its two admins, and the Page on Facebook. */
async function scene(platform: 'facebook' | 'instagram' = 'facebook') {
  n += 1;
  const m = sandbox.meta.state;
  const head = `Jo Head ${n}`;
  const page = m.createPage({
    name: `Oakfield Primary ${n}`,
    admins: [head],
    instagram: { username: `oakfield_primary_${n}` },
  });
  m.createPage({ name: `Jo's Bakery ${n}`, admins: [head] });
  const school = await createSchool(t.db, { name: `Oakfield Primary ${n}` });
  const roles = [{ schoolId: school.id, role: 'comms' as const }];
  const [a, b] = await Promise.all([
    createUser(t.db, { trustId: school.trustId, roles, displayName: 'Admin A' }),
    createUser(t.db, { trustId: school.trustId, roles, displayName: 'Admin B' }),
  ]);
  const account = await createAccount(t.db, {
    schoolId: school.id,
    platform,
    handle: platform === 'facebook' ? `OakfieldPrimary${n}` : `oakfield_primary_${n}`,
    status: 'approved',
    credentialStatus: 'none',
    adminIds: [a!.id, b!.id],
  });
  await t.db.update(socialAccounts).set({ platformUserId: null }).where(eq(socialAccounts.id, account.id));
  return { page, head, account, adminA: a!, adminB: b! };
}

/** Connect → the sandbox's Facebook Login as `person` → the callback; returns where it sent the browser. */
async function signInWithFacebook(userId: string, accountId: string, person: string, deny = false) {
  const { headers } = await signIn(t.db, userId);
  const start = await api.app.inject({
    method: 'POST',
    url: `/api/accounts/${accountId}/connect`,
    headers,
    payload: {},
  });
  expect(start.statusCode).toBe(200);
  const dialog = new URL(start.json().authorizeUrl);
  dialog.searchParams.set(deny ? 'sandbox_deny' : 'sandbox_user', deny ? '1' : person);
  const consent = await fetch(dialog, { redirect: 'manual' });
  expect(consent.status).toBe(302);
  const back = new URL(consent.headers.get('location')!.replace(/#_=_$/, ''));
  expect(back.pathname).toBe('/api/accounts/connect/facebook/callback');
  const callback = await api.app.inject({ url: `${back.pathname}${back.search}`, headers });
  expect(callback.statusCode).toBe(302);
  return { location: callback.headers.location as string, headers, dialog };
}

async function choose(headers: Record<string, string>, accountId: string, picker: string, choice: string) {
  return api.app.inject({
    method: 'POST',
    url: `/accounts/${accountId}/connect/facebook`,
    headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ _csrf: headers['x-csrf-token']!, picker, choice }).toString(),
  });
}

describe('connecting a Facebook Page through Facebook Login and the Page picker', () => {
  it('asks Facebook for the Page permissions, lists the Pages with their Instagram accounts, and connects the approved one', async () => {
    const s = await scene();
    const { location, headers, dialog } = await signInWithFacebook(s.adminA.id, s.account.id, s.head);
    expect(dialog.origin).toBe(new URL(sandbox.url).origin);
    expect(dialog.pathname).toBe('/v21.0/dialog/oauth');
    expect(dialog.searchParams.get('client_id')).toBe(api.config.meta!.appId);
    expect(dialog.searchParams.get('scope')).toContain('pages_manage_engagement');
    expect(dialog.searchParams.get('scope')).toContain('instagram_manage_comments');
    const picker = new URL(location, 'http://app').searchParams.get('picker')!;
    expect(location).toBe(`/accounts/${s.account.id}/connect/facebook?picker=${picker}`);

    const page = await api.app.inject({ url: location, headers });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(`Oakfield Primary ${n}`);
    expect(page.body).toContain(`@<bdi>oakfield_primary_${n}</bdi>`);
    expect(page.body).toContain(`Connect <bdi>Oakfield Primary ${n}</bdi></button>`);
    expect(page.body).toContain(`Jo&#39;s Bakery ${n}`);
    expect(page.body).toContain('not the approved account');

    const done = await choose(headers, s.account.id, picker, s.page.id);
    expect(done.statusCode).toBe(302);
    expect(done.headers.location).toBe(`/accounts/${s.account.id}?connected=new`);
    const [row] = await t.db.select().from(socialAccounts).where(eq(socialAccounts.id, s.account.id));
    expect(row).toMatchObject({ status: 'connected', credentialStatus: 'valid', platformUserId: s.page.id });
    const stored = openCredentials(api.config.encryptionKey, row!.credentialsEncrypted!);
    expect(row!.credentialsEncrypted).not.toContain(stored.accessToken);
    // the Page token never reached the browser
    expect(page.body).not.toContain(stored.accessToken);
    // the stored Page token reads the Page on the sandbox
    const me = await fetch(
      `${sandbox.url}/v21.0/${s.page.id}?fields=name&access_token=${stored.accessToken}`,
    );
    expect((await me.json()).name).toBe(`Oakfield Primary ${n}`);
    const [audit] = await t.db
      .select()
      .from(auditEntries)
      .where(and(eq(auditEntries.subjectId, s.account.id), eq(auditEntries.action, 'account.connected')));
    expect(audit!.details).toMatchObject({ from: 'approved', to: 'connected', platformUserId: s.page.id });
    expect(JSON.stringify(audit!.details)).not.toContain(stored.accessToken);

    const message = await api.app.inject({ url: done.headers.location as string, headers });
    expect(message.body).toContain(
      `Connected: Hallmonitor can now read and act for OakfieldPrimary${n} on Facebook.`,
    );
    expect(message.body).toContain('Activate the account to start monitoring');

    // the list works once
    const again = await choose(headers, s.account.id, picker, s.page.id);
    expect(again.statusCode).toBe(400);
  });

  it('refuses a Page that is not the approved one, even when the form is forged, and stores nothing', async () => {
    const s = await scene();
    const bakery = sandbox.meta.state
      .pagesAdministeredBy(s.page.adminIds[0]!)
      .find((p) => p.name.startsWith("Jo's"))!;
    const { location, headers } = await signInWithFacebook(s.adminA.id, s.account.id, s.head);
    const picker = new URL(location, 'http://app').searchParams.get('picker')!;
    const forged = await choose(headers, s.account.id, picker, bakery.id);
    expect(forged.headers.location).toBe(`/accounts/${s.account.id}?connect_error=wrong_handle`);
    const [row] = await t.db.select().from(socialAccounts).where(eq(socialAccounts.id, s.account.id));
    expect(row).toMatchObject({ status: 'approved', credentialsEncrypted: null, platformUserId: null });
    const [refused] = await t.db
      .select()
      .from(auditEntries)
      .where(
        and(eq(auditEntries.subjectId, s.account.id), eq(auditEntries.action, 'account.connect_refused')),
      );
    expect(refused!.details).toMatchObject({ mismatch: 'handle', connectedPlatformUserId: bakery.id });
    // a Page not in the list at all, and a hostile value
    expect((await choose(headers, s.account.id, picker, '999999')).statusCode).toBe(400);
    expect((await choose(headers, s.account.id, picker, "1' or 1=1\u0000")).statusCode).toBe(400);
  });

  it('another admin cannot use someone else’s list; another account’s id does not open it', async () => {
    const s = await scene();
    const { location } = await signInWithFacebook(s.adminA.id, s.account.id, s.head);
    const picker = new URL(location, 'http://app').searchParams.get('picker')!;
    const asB = (await signIn(t.db, s.adminB.id)).headers;
    const page = await api.app.inject({ url: location, headers: asB });
    expect(page.statusCode).toBe(403);
    const other = await scene();
    const asOther = (await signIn(t.db, other.adminA.id)).headers;
    const cross = await api.app.inject({
      url: `/accounts/${other.account.id}/connect/facebook?picker=${picker}`,
      headers: asOther,
    });
    expect(cross.statusCode).toBe(400);
    expect(cross.body).toContain('expired or was already used');
  });

  it('an Instagram account connects through its Page: the Instagram id, the Page’s token', async () => {
    const s = await scene('instagram');
    const { location, headers } = await signInWithFacebook(s.adminA.id, s.account.id, s.head);
    const picker = new URL(location, 'http://app').searchParams.get('picker')!;
    const page = await api.app.inject({ url: location, headers });
    expect(page.body).toContain(`Connect @<bdi>oakfield_primary_${n}</bdi></button>`);
    expect(page.body).toContain('no Instagram business account is linked to this Page');
    const done = await choose(headers, s.account.id, picker, s.page.igUserId!);
    expect(done.headers.location).toBe(`/accounts/${s.account.id}?connected=new`);
    const [row] = await t.db.select().from(socialAccounts).where(eq(socialAccounts.id, s.account.id));
    expect(row).toMatchObject({ status: 'connected', platformUserId: s.page.igUserId });
  });

  it('the Page’s list offers its linked Instagram account: one sign-in connects both', async () => {
    const s = await scene();
    const ig = await createAccount(t.db, {
      schoolId: s.account.schoolId,
      platform: 'instagram',
      handle: `oakfield_primary_${n}`,
      status: 'approved',
      credentialStatus: 'none',
      adminIds: [s.adminA.id, s.adminB.id],
    });
    await t.db.update(socialAccounts).set({ platformUserId: null }).where(eq(socialAccounts.id, ig.id));
    const { location, headers } = await signInWithFacebook(s.adminA.id, s.account.id, s.head);
    const picker = new URL(location, 'http://app').searchParams.get('picker')!;
    const page = await api.app.inject({ url: location, headers });
    expect(page.body).toContain(`You signed in to Facebook as <bdi>Jo Head ${n}</bdi>.`);
    expect(page.body).toContain(`action="/accounts/${ig.id}/connect/facebook"`);
    expect(page.body).toContain(`Connect @<bdi>oakfield_primary_${n}</bdi> too</button>`);

    const igDone = await choose(headers, ig.id, picker, s.page.igUserId!);
    expect(igDone.headers.location).toBe(`/accounts/${ig.id}?connected=new`);
    const fbDone = await choose(headers, s.account.id, picker, s.page.id);
    expect(fbDone.headers.location).toBe(`/accounts/${s.account.id}?connected=new`);
    const rows = await t.db
      .select()
      .from(socialAccounts)
      .where(eq(socialAccounts.schoolId, s.account.schoolId));
    expect(rows.map((r) => [r.platform, r.status, r.platformUserId]).sort()).toEqual(
      [
        ['facebook', 'connected', s.page.id],
        ['instagram', 'connected', s.page.igUserId],
      ].sort(),
    );
    // The list does not open another school's account, nor one the person does not administer.
    const other = await scene('instagram');
    const cross = await choose(headers, other.account.id, picker, s.page.igUserId!);
    expect(cross.statusCode).toBe(404);
  });

  it('signed in as someone without a role on the approved Page: says who signed in and what to do', async () => {
    const s = await scene();
    sandbox.meta.state.createPage({ name: `Corner Shop ${n}`, admins: [`Sam Stranger ${n}`] });
    const { location, headers } = await signInWithFacebook(s.adminA.id, s.account.id, `Sam Stranger ${n}`);
    const page = await api.app.inject({ url: location, headers });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(`You signed in to Facebook as <bdi>Sam Stranger ${n}</bdi>.`);
    expect(page.body).toMatch(
      new RegExp(
        `nothing can be connected with this sign-in as <bdi>Sam Stranger ${n}</bdi>\\s*\\. Sign out of Facebook \\(or open a private window\\), sign in as someone with a role on <bdi>OakfieldPrimary${n}</bdi>`,
      ),
    );
  });

  it('declining on Facebook, or an unknown state, connects nothing and says so', async () => {
    const s = await scene();
    const { location } = await signInWithFacebook(s.adminA.id, s.account.id, s.head, true);
    expect(location).toBe(`/accounts/${s.account.id}?connect_error=precondition_failed`);
    const { headers } = await signIn(t.db, s.adminA.id);
    const unknown = await api.app.inject({
      url: '/api/accounts/connect/facebook/callback?state=made-up&code=x',
      headers,
    });
    expect(unknown.headers.location).toBe('/accounts?connect_error=invalid_input');
  });
});
