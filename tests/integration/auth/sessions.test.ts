import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEntries, sessions, users } from '../../../db/schema/index.js';
import {
  SESSION_ABSOLUTE_MS,
  SESSION_COOKIE,
  SESSION_IDLE_MS,
  SESSION_TOUCH_MS,
} from '../../../services/auth/session-store.js';
import { buildTestApp, type TestApp } from '../../helpers/build-test-app.js';
import { expectAuditEntry } from '../../helpers/expect-audit-entry.js';
import { createSchool, createTrust } from '../../helpers/factories.js';
import { signIn } from '../../helpers/sign-in.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';
import { asSession, PASSWORD, sessionCookie, signInRequest, userWithPassword } from './auth-kit.js';

let t: TestDatabase;
let api: TestApp;
let trustId: string;
let schoolId: string;

beforeAll(async () => {
  t = await createTestDatabase();
  api = await buildTestApp(t.db);
  trustId = (await createTrust(t.db)).id;
  schoolId = (await createSchool(t.db, { trustId })).id;
});
afterAll(async () => {
  await api.close();
  await t.drop();
});

const me = (cookieValue: string) => api.app.inject({ url: '/auth/me', headers: asSession(cookieValue) });

async function signedIn() {
  const user = await userWithPassword(t.db, { trustId, roles: [{ schoolId, role: 'comms' }] });
  const res = await signInRequest(api.app, { email: user.email, password: PASSWORD });
  expect(res.statusCode).toBe(200);
  return { user, cookie: sessionCookie(res)!.value, csrfToken: res.json().csrfToken as string };
}

describe('sessions', () => {
  it('issues a new session id at sign-in even when the browser sent one, and the old one is dead (fixation)', async () => {
    const { user, cookie: first } = await signedIn();
    const planted = 'attacker-chosen-session-id-0123456789abcdefghijkl';
    for (const sent of [first, planted]) {
      const res = await signInRequest(api.app, { email: user.email, password: PASSWORD }, { cookie: sent });
      expect(res.statusCode).toBe(200);
      const issued = sessionCookie(res)!.value;
      expect(issued).not.toBe(sent);
      expect((await me(issued)).statusCode).toBe(200);
      expect((await me(sent)).statusCode).toBe(401);
    }
  });

  it('sign-out ends the session: the same cookie replayed is refused', async () => {
    const { user, cookie, csrfToken } = await signedIn();
    const out = await api.app.inject({
      method: 'POST',
      url: '/auth/sign-out',
      headers: asSession(cookie, csrfToken),
    });
    expect(out.statusCode).toBe(200);
    expect(sessionCookie(out)?.value).toBe('');
    expect((await me(cookie)).statusCode).toBe(401);
    await expectAuditEntry(t.db, { action: 'user.signed_out', subjectId: user.id, actorId: user.id });
  });

  it('a sign-out form post redirects to the sign-in page', async () => {
    const { cookie, csrfToken } = await signedIn();
    const out = await api.app.inject({
      method: 'POST',
      url: '/auth/sign-out',
      headers: { ...asSession(cookie), 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ _csrf: csrfToken }).toString(),
    });
    expect(out.statusCode).toBe(303);
    expect(out.headers.location).toBe('/login');
    expect((await me(cookie)).statusCode).toBe(401);
  });

  it('ends a session left idle past the idle timeout, and one past its absolute lifetime', async () => {
    const idle = await signedIn();
    expect((await me(idle.cookie)).statusCode).toBe(200);
    await t.db
      .update(sessions)
      .set({ lastSeenAt: new Date(Date.now() - SESSION_IDLE_MS - 1000) })
      .where(eq(sessions.userId, idle.user.id));
    expect((await me(idle.cookie)).statusCode).toBe(401);

    const old = await signedIn();
    await t.db
      .update(sessions)
      .set({ expiresAt: new Date(Date.now() - 1000), createdAt: new Date(Date.now() - SESSION_ABSOLUTE_MS) })
      .where(eq(sessions.userId, old.user.id));
    expect((await me(old.cookie)).statusCode).toBe(401);
  });

  it('keeps a session in use alive, writing its last-seen time at most once per SESSION_TOUCH_MS', async () => {
    const { user, cookie } = await signedIn();
    const lastSeen = async () =>
      (await t.db.select().from(sessions).where(eq(sessions.userId, user.id)))[0]!.lastSeenAt.getTime();
    const recent = new Date(Date.now() - SESSION_TOUCH_MS / 2);
    await t.db.update(sessions).set({ lastSeenAt: recent }).where(eq(sessions.userId, user.id));
    expect((await me(cookie)).statusCode).toBe(200);
    expect(await lastSeen()).toBe(recent.getTime());
    // Nearly idle: the next request slides the timer, so the session outlives the old idle limit.
    await t.db
      .update(sessions)
      .set({ lastSeenAt: new Date(Date.now() - SESSION_IDLE_MS + 2_000) })
      .where(eq(sessions.userId, user.id));
    const before = Date.now();
    expect((await me(cookie)).statusCode).toBe(200);
    expect(await lastSeen()).toBeGreaterThanOrEqual(before);
  });

  it('a disabled user is signed out at once, on their very next request', async () => {
    const { user, cookie } = await signedIn();
    expect((await me(cookie)).statusCode).toBe(200);
    await t.db.update(users).set({ disabledAt: new Date() }).where(eq(users.id, user.id));
    expect((await me(cookie)).statusCode).toBe(401);
  });

  it('disabling through the API ends every session the user has', async () => {
    const admin = await userWithPassword(t.db, { trustId, roles: [{ schoolId, role: 'trust_admin' }] });
    const adminSession = await signIn(t.db, admin.id);
    const { user, cookie } = await signedIn();
    const second = await signIn(t.db, user.id);
    const res = await api.app.inject({
      method: 'POST',
      url: `/api/users/${user.id}/disable`,
      headers: adminSession.headers,
      payload: { reason: 'left the school' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ userId: user.id, disabled: true, sessionsEnded: 2 });
    expect((await me(cookie)).statusCode).toBe(401);
    expect((await me(second.cookieValue)).statusCode).toBe(401);
    expect(await t.db.select().from(sessions).where(eq(sessions.userId, user.id))).toHaveLength(0);
  });

  it("a role change ends the user's sessions", async () => {
    const admin = await userWithPassword(t.db, { trustId, roles: [{ schoolId, role: 'trust_admin' }] });
    const adminSession = await signIn(t.db, admin.id);
    const { user, cookie } = await signedIn();
    const res = await api.app.inject({
      method: 'POST',
      url: `/api/users/${user.id}/roles`,
      headers: adminSession.headers,
      payload: { schoolId, role: 'senior_leader' },
    });
    expect(res.statusCode).toBe(201);
    expect((await me(cookie)).statusCode).toBe(401);
    // Signing in again shows the new role.
    const again = await signInRequest(api.app, { email: user.email, password: PASSWORD });
    const roles = (await me(sessionCookie(again)!.value)).json().schools[0].roles;
    expect(roles).toEqual(['comms', 'senior_leader']);
  });

  it('refuses a state-changing request without the CSRF token with 403, and audits the refusal', async () => {
    const { user, cookie, csrfToken } = await signedIn();
    const [{ seq }] = (await t.db
      .select({ seq: sql<number>`coalesce(max(${auditEntries.seq}), 0)::int` })
      .from(auditEntries)) as [{ seq: number }];
    for (const headers of [asSession(cookie), asSession(cookie, 'not-the-token')]) {
      const res = await api.app.inject({ method: 'POST', url: '/auth/sign-out', headers });
      expect(res.statusCode).toBe(403);
      expect(res.json().error).toBe('FORBIDDEN');
    }
    expect((await me(cookie)).statusCode).toBe(200);
    await expectAuditEntry(t.db, {
      action: 'request.refused',
      actorId: user.id,
      afterSeq: seq,
      details: { method: 'POST', path: '/auth/sign-out' },
    });
    const ok = await api.app.inject({
      method: 'POST',
      url: '/auth/sign-out',
      headers: asSession(cookie, csrfToken),
    });
    expect(ok.statusCode).toBe(200);
  });

  it('answers 401 to a request with no session', async () => {
    const res = await api.app.inject({ url: '/auth/me' });
    expect(res.statusCode).toBe(401);
  });
});

describe('cookies and headers', () => {
  it('sets the session cookie HttpOnly, SameSite=Lax, Path=/ and not Secure in local development', async () => {
    const user = await userWithPassword(t.db, { trustId });
    const res = await signInRequest(api.app, { email: user.email, password: PASSWORD });
    const raw = String(res.headers['set-cookie']);
    expect(raw).toMatch(new RegExp(`^${SESSION_COOKIE}=`));
    expect(raw).toMatch(/; HttpOnly/);
    expect(raw).toMatch(/; SameSite=Lax/);
    expect(raw).toMatch(/; Path=\//);
    expect(raw).not.toMatch(/; Secure/);
  });

  it('sets Secure when COOKIE_SECURE=true', async () => {
    const secure = await buildTestApp(t.db, { configOverrides: { COOKIE_SECURE: 'true' } });
    try {
      const user = await userWithPassword(t.db, { trustId });
      const res = await signInRequest(secure.app, { email: user.email, password: PASSWORD });
      const cookie = sessionCookie(res)!;
      expect(cookie.secure).toBe(true);
      expect(cookie.httpOnly).toBe(true);
      expect(cookie.sameSite).toBe('Lax');
    } finally {
      await secure.close();
    }
  });

  it('sends a CSP that allows no inline script, and the sign-in page has none', async () => {
    const res = await api.app.inject({ url: '/login' });
    expect(res.statusCode).toBe(200);
    const csp = String(res.headers['content-security-policy']);
    const scriptSrc = csp.split(';').find((d) => d.trim().startsWith('script-src'));
    expect(scriptSrc).toBeDefined();
    expect(scriptSrc).not.toContain("'unsafe-inline'");
    expect(csp).not.toMatch(/script-src-attr[^;]*'unsafe-inline'/);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.body).toMatch(/^<!doctype html>/);
    expect(res.body).toContain('<script src="/static/app.js" defer></script>');
    expect(res.body).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/);
    expect(res.body).not.toMatch(/\son\w+=/);
    expect(res.body).not.toMatch(/<style|style=/);
  });

  it('renders the email typed back escaped', async () => {
    const res = await api.app.inject({
      method: 'POST',
      url: '/auth/sign-in',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: api.config.publicUrl },
      payload: new URLSearchParams({ email: '"><script>alert(1)</script>', password: 'x' }).toString(),
      remoteAddress: '10.3.0.1',
    });
    expect(res.statusCode).toBe(401);
    expect(res.body).not.toContain('<script>alert(1)</script>');
    expect(res.body).toContain('value="&#34;>&lt;script>alert(1)&lt;/script>"');
  });
});
