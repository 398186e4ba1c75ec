import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  auditEntries,
  auditPersonalData,
  loginThrottles,
  sessions,
  users,
} from '../../../db/schema/index.js';
import { SESSION_COOKIE } from '../../../services/auth/session-store.js';
import { buildTestApp, type TestApp } from '../../helpers/build-test-app.js';
import { expectAuditEntry } from '../../helpers/expect-audit-entry.js';
import { createSchool, createTrust, createUser } from '../../helpers/factories.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';
import { PASSWORD, sessionCookie, signInRequest, userWithPassword } from './auth-kit.js';

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

const GENERIC = { error: 'UNAUTHENTICATED', message: 'Email or password is incorrect' };
let n = 0;
/** Each test its own address, so the per-address throttle of one test does not reach another. */
const address = () => `10.1.0.${++n}`;

async function lastSeq() {
  const [row] = await t.db
    .select({ seq: sql<number>`coalesce(max(${auditEntries.seq}), 0)::int` })
    .from(auditEntries);
  return row!.seq;
}

describe('password sign-in', () => {
  it('signs in with the right password: session cookie, CSRF token and a user.signed_in entry', async () => {
    const user = await userWithPassword(t.db, { trustId, roles: [{ schoolId, role: 'comms' }] });
    const res = await signInRequest(api.app, { email: user.email.toUpperCase(), password: PASSWORD });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.user).toEqual({ id: user.id, email: user.email, displayName: user.displayName, trustId });
    expect(body.csrfToken).toMatch(/^[\w-]{20,}$/);
    const cookie = sessionCookie(res)!;
    expect(cookie.value.length).toBeGreaterThan(30);

    const me = await api.app.inject({
      url: '/auth/me',
      headers: { cookie: `${SESSION_COOKIE}=${cookie.value}` },
    });
    expect(me.statusCode).toBe(200);
    expect(me.json().schools).toEqual([{ schoolId, roles: ['comms'] }]);
    const csrf = await api.app.inject({
      url: '/auth/csrf',
      headers: { cookie: `${SESSION_COOKIE}=${cookie.value}` },
    });
    expect(csrf.json()).toEqual({ csrfToken: body.csrfToken });
    await expectAuditEntry(t.db, { action: 'user.signed_in', subjectId: user.id, actorId: user.id });
  });

  it('answers every failure with the same status and message, and stores no session', async () => {
    const disabled = await userWithPassword(t.db, { trustId });
    await t.db.update(users).set({ disabledAt: new Date() }).where(eq(users.id, disabled.id));
    const noPassword = await createUser(t.db, { trustId });
    const known = await userWithPassword(t.db, { trustId });
    const attempts = [
      { email: 'nobody@school.test', password: PASSWORD },
      { email: known.email, password: 'wrong password entirely' },
      { email: disabled.email, password: PASSWORD },
      { email: noPassword.email, password: PASSWORD },
    ];
    const before = await t.db.select().from(sessions);
    for (const attempt of attempts) {
      const res = await signInRequest(api.app, attempt, { remoteAddress: address() });
      expect(res.statusCode, attempt.email).toBe(401);
      expect(res.json()).toEqual(GENERIC);
      expect(sessionCookie(res)).toBeUndefined();
    }
    expect(await t.db.select().from(sessions)).toHaveLength(before.length);
  });

  it('audits a failed sign-in with the email typed as personal data and never the password', async () => {
    const user = await userWithPassword(t.db, { trustId });
    const since = await lastSeq();
    await signInRequest(
      api.app,
      { email: user.email, password: 'Tr0ub4dor&3-typed' },
      { remoteAddress: address() },
    );
    await signInRequest(api.app, { email: 'stranger@elsewhere.test', password: 'Tr0ub4dor&3-typed' });

    const known = await expectAuditEntry(t.db, {
      action: 'user.sign_in_failed',
      subjectId: user.id,
      afterSeq: since,
      details: { method: 'password', reason: 'wrong_password' },
    });
    const [personal] = await t.db
      .select()
      .from(auditPersonalData)
      .where(eq(auditPersonalData.seq, known.seq));
    expect(personal!.content).toMatchObject({ email: user.email });

    const rows = await t.db.select().from(auditEntries).where(sql`${auditEntries.seq} > ${since}`);
    const unknown = rows.find((r) => r.action === 'user.sign_in_failed' && r.subjectId === null);
    expect(unknown?.details).toMatchObject({ reason: 'unknown_account' });
    const everything = JSON.stringify([rows, await t.db.select().from(auditPersonalData)]);
    expect(everything).not.toContain('Tr0ub4dor');
  });

  it('the form post redirects to / with the cookie; a failure re-renders the page with the generic message', async () => {
    const user = await userWithPassword(t.db, { trustId });
    const form = (password: string, origin = api.config.publicUrl) =>
      api.app.inject({
        method: 'POST',
        url: '/auth/sign-in',
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin },
        payload: new URLSearchParams({ email: user.email, password }).toString(),
        remoteAddress: '10.2.0.1',
      });
    const ok = await form(PASSWORD);
    expect(ok.statusCode).toBe(303);
    expect(ok.headers.location).toBe('/');
    expect(sessionCookie(ok)?.value).toBeTruthy();

    const bad = await form('not it at all');
    expect(bad.statusCode).toBe(401);
    expect(bad.headers['content-type']).toMatch(/text\/html/);
    expect(bad.body).toContain('Email or password is incorrect');
    expect(bad.body).toContain(`value="${user.email}"`);
    expect(sessionCookie(bad)).toBeUndefined();
  });

  it('refuses a form post from another origin without looking at the password', async () => {
    const user = await userWithPassword(t.db, { trustId });
    const since = await lastSeq();
    for (const headers of [
      { origin: 'https://evil.example' },
      { referer: 'https://evil.example/page' },
      {},
    ]) {
      const res = await api.app.inject({
        method: 'POST',
        url: '/auth/sign-in',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
        payload: new URLSearchParams({ email: user.email, password: PASSWORD }).toString(),
      });
      expect(res.statusCode).toBe(403);
      expect(sessionCookie(res)).toBeUndefined();
    }
    const rows = await t.db.select().from(auditEntries).where(sql`${auditEntries.seq} > ${since}`);
    expect(rows.filter((r) => r.action === 'user.signed_in')).toHaveLength(0);
  });
});

describe('throttling', () => {
  async function throttleRow(kind: 'account' | 'address', key: string) {
    const [row] = await t.db
      .select()
      .from(loginThrottles)
      .where(and(eq(loginThrottles.kind, kind), eq(loginThrottles.key, key)));
    return row;
  }

  it('locks an account after 5 failures, refuses even the right password while locked, and backs off further', async () => {
    const user = await userWithPassword(t.db, { trustId });
    const email = user.email.toLowerCase();
    for (let i = 0; i < 5; i++) {
      const res = await signInRequest(
        api.app,
        { email, password: `guess ${i}` },
        { remoteAddress: address() },
      );
      expect(res.statusCode).toBe(401);
    }
    const locked = await signInRequest(api.app, { email, password: PASSWORD }, { remoteAddress: address() });
    expect(locked.statusCode).toBe(429);
    expect(locked.json().message).toMatch(/^Too many attempts; try again in (29|30) seconds$/);
    expect(locked.headers['retry-after']).toMatch(/^(29|30)$/);
    expect(sessionCookie(locked)).toBeUndefined();
    // The locked attempt did not count as a failure: the password was never checked.
    expect((await throttleRow('account', email))!.failures).toBe(5);
    await expectAuditEntry(t.db, {
      action: 'user.sign_in_failed',
      subjectId: user.id,
      details: { reason: 'throttled' },
    });

    // Time passes: the lock runs out; the next failure earns twice as long.
    await t.db
      .update(loginThrottles)
      .set({ lockedUntil: new Date(Date.now() - 1000) })
      .where(and(eq(loginThrottles.kind, 'account'), eq(loginThrottles.key, email)));
    const sixth = await signInRequest(api.app, { email, password: 'guess 6' }, { remoteAddress: address() });
    expect(sixth.statusCode).toBe(401);
    const again = await signInRequest(api.app, { email, password: PASSWORD }, { remoteAddress: address() });
    expect(again.statusCode).toBe(429);
    expect(again.json().message).toMatch(/try again in (59|60) seconds/);

    // And once it runs out, the right password works and the account's count starts again.
    await t.db
      .update(loginThrottles)
      .set({ lockedUntil: new Date(Date.now() - 1000) })
      .where(and(eq(loginThrottles.kind, 'account'), eq(loginThrottles.key, email)));
    const ok = await signInRequest(api.app, { email, password: PASSWORD }, { remoteAddress: address() });
    expect(ok.statusCode).toBe(200);
    expect(await throttleRow('account', email)).toBeUndefined();
  });

  it('throttles an unknown email exactly like a known one', async () => {
    const email = 'no-such-person@school.test';
    for (let i = 0; i < 5; i++)
      await signInRequest(api.app, { email, password: 'x' }, { remoteAddress: address() });
    const res = await signInRequest(api.app, { email, password: 'x' }, { remoteAddress: address() });
    expect(res.statusCode).toBe(429);
  });

  it('locks an address after 20 failures across many accounts, and only that address', async () => {
    const from = '10.9.9.9';
    for (let i = 0; i < 20; i++) {
      const res = await signInRequest(
        api.app,
        { email: `spray-${i}@school.test`, password: 'Winter2024!' },
        { remoteAddress: from },
      );
      expect(res.statusCode).toBe(401);
    }
    const user = await userWithPassword(t.db, { trustId });
    const locked = await signInRequest(
      api.app,
      { email: user.email, password: PASSWORD },
      { remoteAddress: from },
    );
    expect(locked.statusCode).toBe(429);
    expect(locked.json().message).toMatch(/try again in (29|30) seconds/);
    expect((await throttleRow('address', from))!.failures).toBe(20);

    const elsewhere = await signInRequest(
      api.app,
      { email: user.email, password: PASSWORD },
      { remoteAddress: '10.9.9.10' },
    );
    expect(elsewhere.statusCode).toBe(200);
  });
});
