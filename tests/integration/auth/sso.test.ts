import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trusts, users } from '../../../db/schema/index.js';
import { SESSION_COOKIE } from '../../../services/auth/session-store.js';
import { encryptSecret } from '../../../services/core/secret-box.js';
import { buildTestApp, type TestApp } from '../../helpers/build-test-app.js';
import { expectAuditEntry } from '../../helpers/expect-audit-entry.js';
import { createSchool, createTrust, createUser } from '../../helpers/factories.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';
import { asSession, sessionCookie } from './auth-kit.js';
import {
  authorizeAtProvider,
  type LocalOpenIdProvider,
  startLocalOpenIdProvider,
} from './local-openid-provider.js';

let t: TestDatabase;
let api: TestApp;
let idp: LocalOpenIdProvider;
let trustId: string;
let schoolId: string;
let redirectUri: string;

beforeAll(async () => {
  t = await createTestDatabase();
  api = await buildTestApp(t.db);
  redirectUri = `${api.config.publicUrl}/auth/sso/callback`;
  idp = await startLocalOpenIdProvider(redirectUri);
  const trust = await createTrust(t.db);
  trustId = trust.id;
  schoolId = (await createSchool(t.db, { trustId })).id;
  await t.db
    .update(trusts)
    .set({
      signIn: {
        oidc: [
          {
            issuer: idp.issuer,
            clientId: idp.clientId,
            clientSecretEncrypted: encryptSecret(api.config.encryptionKey, idp.clientSecret),
            label: 'Test Workspace',
          },
        ],
      },
    })
    .where(eq(trusts.id, trustId));
});
afterAll(async () => {
  await api.close();
  await idp?.close();
  await t.drop();
});

/** The whole browser round trip: start at Hallmonitor, sign in at the provider, come back. */
async function ssoSignIn(subject: string, options: { dropPendingCookie?: boolean } = {}) {
  const start = await api.app.inject({ url: `/auth/sso/${trustId}/start` });
  expect(start.statusCode).toBe(302);
  const location = String(start.headers.location);
  expect(location.startsWith(`${idp.issuer}/`)).toBe(true);
  const authUrl = new URL(location);
  expect(authUrl.searchParams.get('code_challenge_method')).toBe('S256');
  expect(authUrl.searchParams.get('state')).toBeTruthy();
  expect(authUrl.searchParams.get('nonce')).toBeTruthy();
  expect(authUrl.searchParams.get('redirect_uri')).toBe(redirectUri);
  const pending = start.cookies.find((c) => c.name === 'hm_sso')!;
  expect(pending.httpOnly).toBe(true);

  const back = new URL(await authorizeAtProvider(location, subject, redirectUri));
  return api.app.inject({
    url: `${back.pathname}${back.search}`,
    headers: options.dropPendingCookie ? {} : { cookie: `hm_sso=${pending.value}` },
  });
}

const userCount = async () => (await t.db.select({ n: sql<number>`count(*)::int` }).from(users))[0]!.n;

describe('single sign-on against a real OpenID provider', () => {
  it('links an invited user on their first sign-in, then finds them by subject', async () => {
    const invited = await createUser(t.db, {
      trustId,
      email: 'Ms.Okafor@school.test',
      roles: [{ schoolId, role: 'comms' }],
    });
    idp.accounts.set('okafor-sub-1', { email: 'ms.okafor@school.test', email_verified: true });

    const res = await ssoSignIn('okafor-sub-1');
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/');
    const cookie = sessionCookie(res)!;
    expect(cookie.httpOnly).toBe(true);
    expect(cookie.sameSite).toBe('Lax');
    const me = await api.app.inject({ url: '/auth/me', headers: asSession(cookie.value) });
    expect(me.statusCode).toBe(200);
    expect(me.json().user.id).toBe(invited.id);

    const [linked] = await t.db.select().from(users).where(eq(users.id, invited.id));
    expect(linked).toMatchObject({ ssoIssuer: idp.issuer, ssoSubject: 'okafor-sub-1' });
    await expectAuditEntry(t.db, { action: 'user.sso_linked', subjectId: invited.id });
    await expectAuditEntry(t.db, {
      action: 'user.signed_in',
      subjectId: invited.id,
      details: { method: 'sso', firstSignIn: true },
    });

    // Later the provider's email changes; the link by subject still finds the same person.
    idp.accounts.set('okafor-sub-1', { email: 'okafor.renamed@school.test', email_verified: true });
    const again = await ssoSignIn('okafor-sub-1');
    expect(again.statusCode).toBe(303);
    const me2 = await api.app.inject({ url: '/auth/me', headers: asSession(sessionCookie(again)!.value) });
    expect(me2.json().user.id).toBe(invited.id);
  });

  it("signs a person with an account in another trust too into this trust's account, linking it", async () => {
    const elsewhere = await createTrust(t.db);
    const theirs = await createUser(t.db, { trustId: elsewhere.id, email: 'governor@both.test' });
    await t.db
      .update(users)
      .set({ ssoIssuer: idp.issuer, ssoSubject: 'governor-sub' })
      .where(eq(users.id, theirs.id));
    const ours = await createUser(t.db, {
      trustId,
      email: 'governor@both.test',
      roles: [{ schoolId, role: 'auditor' }],
    });
    idp.accounts.set('governor-sub', { email: 'governor@both.test', email_verified: true });

    const res = await ssoSignIn('governor-sub');
    expect(res.statusCode).toBe(303);
    const me = await api.app.inject({ url: '/auth/me', headers: asSession(sessionCookie(res)!.value) });
    expect(me.json().user).toMatchObject({ id: ours.id, trustId });
    const [linked] = await t.db.select().from(users).where(eq(users.id, ours.id));
    expect(linked).toMatchObject({ ssoIssuer: idp.issuer, ssoSubject: 'governor-sub' });
  });

  it('refuses an unknown email and creates nobody', async () => {
    idp.accounts.set('stranger-sub', { email: 'stranger@school.test', email_verified: true });
    const before = await userCount();
    const res = await ssoSignIn('stranger-sub');
    expect(res.statusCode).toBe(401);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(res.body).toContain('ask your trust admin to invite you');
    expect(sessionCookie(res)).toBeUndefined();
    expect(await userCount()).toBe(before);
    await expectAuditEntry(t.db, {
      action: 'user.sign_in_failed',
      details: { method: 'sso', reason: 'not_invited' },
    });
  });

  it('refuses an email the provider has not verified, and leaves the invited user unlinked', async () => {
    const invited = await createUser(t.db, { trustId, email: 'unverified@school.test' });
    idp.accounts.set('unverified-sub', { email: 'unverified@school.test', email_verified: false });
    const res = await ssoSignIn('unverified-sub');
    expect(res.statusCode).toBe(401);
    const [row] = await t.db.select().from(users).where(eq(users.id, invited.id));
    expect(row!.ssoSubject).toBeNull();
    await expectAuditEntry(t.db, {
      action: 'user.sign_in_failed',
      details: { reason: 'email_not_verified' },
    });
  });

  it('refuses a disabled user', async () => {
    const invited = await createUser(t.db, { trustId, email: 'disabled-sso@school.test' });
    await t.db.update(users).set({ disabledAt: new Date() }).where(eq(users.id, invited.id));
    idp.accounts.set('disabled-sub', { email: 'disabled-sso@school.test', email_verified: true });
    const res = await ssoSignIn('disabled-sub');
    expect(res.statusCode).toBe(401);
    expect(sessionCookie(res)).toBeUndefined();
    await expectAuditEntry(t.db, {
      action: 'user.sign_in_failed',
      subjectId: invited.id,
      details: { reason: 'disabled' },
    });
  });

  it('refuses a callback without the browser that started it (no state to check)', async () => {
    await createUser(t.db, { trustId, email: 'nocookie@school.test' });
    idp.accounts.set('nocookie-sub', { email: 'nocookie@school.test', email_verified: true });
    const res = await ssoSignIn('nocookie-sub', { dropPendingCookie: true });
    expect(res.statusCode).toBe(401);
    expect(String(res.headers['set-cookie'])).not.toContain(`${SESSION_COOKIE}=`);
    expect(res.body).toContain('Single sign-on did not complete');
    await expectAuditEntry(t.db, {
      action: 'user.sign_in_failed',
      details: { reason: 'sso_error:no_pending_sign_in' },
    });
  });

  it('answers 404 for a trust with no single sign-on', async () => {
    const other = await createTrust(t.db);
    const res = await api.app.inject({ url: `/auth/sso/${other.id}/start` });
    expect(res.statusCode).toBe(404);
  });

  it('lists the trust’s providers on the sign-in page', async () => {
    const res = await api.app.inject({ url: `/login?trust=${trustId}` });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Sign in with Test Workspace');
    expect(res.body).toContain(`/auth/sso/${trustId}/start?issuer=`);
  });
});
