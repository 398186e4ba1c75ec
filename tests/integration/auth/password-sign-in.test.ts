import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  auditEntries,
  auditPersonalData,
  loginThrottles,
  notificationDeliveries,
  notifications,
  schoolWebhooks,
  sessions,
  users,
} from '../../../db/schema/index.js';
import { ATTACK_THRESHOLD, pruneThrottles } from '../../../services/auth/login-throttle.js';
import { SESSION_COOKIE } from '../../../services/auth/session-store.js';
import { buildTestApp, type TestApp } from '../../helpers/build-test-app.js';
import { expectAuditEntry } from '../../helpers/expect-audit-entry.js';
import { createSchool, createTrust, createUser } from '../../helpers/factories.js';
import { signIn } from '../../helpers/sign-in.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';
import { deviceCookie, PASSWORD, sessionCookie, signInRequest, userWithPassword } from './auth-kit.js';

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
  async function throttleRow(kind: 'pair' | 'address' | 'device' | 'account', key: string) {
    const [row] = await t.db
      .select()
      .from(loginThrottles)
      .where(and(eq(loginThrottles.kind, kind), eq(loginThrottles.key, key)));
    return row;
  }
  /** Time passes: every lock on these keys runs out. */
  async function unlock(kind: 'pair' | 'address' | 'device', key: string) {
    await t.db
      .update(loginThrottles)
      .set({ lockedUntil: new Date(Date.now() - 1000) })
      .where(and(eq(loginThrottles.kind, kind), eq(loginThrottles.key, key)));
  }
  async function attackFrom(addresses: string[], email: string, perAddress: number) {
    for (const from of addresses) {
      for (let i = 0; i < perAddress; i++) {
        const res = await signInRequest(api.app, { email, password: `guess ${i}` }, { remoteAddress: from });
        expect([401, 429]).toContain(res.statusCode);
      }
    }
  }
  const addresses = (prefix: string, count: number) =>
    Array.from({ length: count }, (_, i) => `${prefix}.${i + 1}`);

  it('locks an address out of an account after 5 failures from it, refuses even the right password from it while locked, and backs off further', async () => {
    const user = await userWithPassword(t.db, { trustId });
    const email = user.email.toLowerCase();
    const from = address();
    for (let i = 0; i < 5; i++) {
      const res = await signInRequest(api.app, { email, password: `guess ${i}` }, { remoteAddress: from });
      expect(res.statusCode).toBe(401);
    }
    const locked = await signInRequest(api.app, { email, password: PASSWORD }, { remoteAddress: from });
    expect(locked.statusCode).toBe(429);
    expect(locked.json().message).toMatch(/^Too many attempts; try again in (29|30) seconds$/);
    expect(locked.headers['retry-after']).toMatch(/^(29|30)$/);
    expect(sessionCookie(locked)).toBeUndefined();
    // The locked attempt did not count as a failure: the password was never checked.
    expect((await throttleRow('pair', `${from}|${email}`))!.failures).toBe(5);
    await expectAuditEntry(t.db, {
      action: 'user.sign_in_failed',
      subjectId: user.id,
      details: { reason: 'throttled' },
    });

    // Time passes: the lock runs out; the next failure earns twice as long.
    await unlock('pair', `${from}|${email}`);
    const sixth = await signInRequest(api.app, { email, password: 'guess 6' }, { remoteAddress: from });
    expect(sixth.statusCode).toBe(401);
    const again = await signInRequest(api.app, { email, password: PASSWORD }, { remoteAddress: from });
    expect(again.statusCode).toBe(429);
    expect(again.json().message).toMatch(/try again in (59|60) seconds/);

    // And once it runs out, the right password works and the pair's count starts again.
    await unlock('pair', `${from}|${email}`);
    const ok = await signInRequest(api.app, { email, password: PASSWORD }, { remoteAddress: from });
    expect(ok.statusCode).toBe(200);
    expect(await throttleRow('pair', `${from}|${email}`)).toBeUndefined();
  });

  it('throttles an unknown email exactly like a known one', async () => {
    const email = 'no-such-person@school.test';
    const from = address();
    for (let i = 0; i < 5; i++)
      await signInRequest(api.app, { email, password: 'x' }, { remoteAddress: from });
    const res = await signInRequest(api.app, { email, password: 'x' }, { remoteAddress: from });
    expect(res.statusCode).toBe(429);
  });

  it("strangers' failures never stop the person signing in from their known device, wherever it is", async () => {
    const victim = await userWithPassword(t.db, {
      trustId,
      roles: [{ schoolId, role: 'safeguarding_lead' }],
    });
    const email = victim.email.toLowerCase();
    const first = await signInRequest(api.app, { email, password: PASSWORD }, { remoteAddress: '10.30.0.1' });
    expect(first.statusCode).toBe(200);
    const device = deviceCookie(first)!;
    expect(device.httpOnly).toBe(true);
    expect(device.maxAge).toBeGreaterThan(90 * 24 * 3600);

    // Twelve addresses guess, each until it is locked; one of them is the school's own address,
    // which the attacker also sprays until the whole address is locked.
    const attackers = addresses('10.31.0', 12);
    await attackFrom(attackers, email, 7);
    const shared = attackers[0]!;
    await attackFrom([shared], 'someone-else@school.test', 20);
    expect(
      (await signInRequest(api.app, { email, password: PASSWORD }, { remoteAddress: shared })).statusCode,
    ).toBe(429);

    // From the known device the right password works, even at the locked address, at once.
    for (const from of [shared, '10.30.0.1', '10.30.0.2']) {
      const res = await signInRequest(
        api.app,
        { email, password: PASSWORD },
        { remoteAddress: from, device: device.value },
      );
      expect(res.statusCode, from).toBe(200);
      expect(sessionCookie(res)?.value).toBeTruthy();
    }
    await expectAuditEntry(t.db, {
      action: 'user.signed_in',
      subjectId: victim.id,
      details: { method: 'password', knownDevice: true },
    });

    // A forged or altered cookie is an unknown device: the locked address stays locked.
    const forged = `${device.value.slice(0, -2)}xx`;
    const refused = await signInRequest(
      api.app,
      { email, password: PASSWORD },
      { remoteAddress: shared, device: forged },
    );
    expect(refused.statusCode).toBe(429);
  });

  it('from a new address the right password works at once, and after a slip only the per-address delay applies', async () => {
    const victim = await userWithPassword(t.db, {
      trustId,
      roles: [{ schoolId, role: 'safeguarding_lead' }],
    });
    const email = victim.email.toLowerCase();
    await attackFrom(addresses('10.32.0', 12), email, 7);

    const fresh = await signInRequest(api.app, { email, password: PASSWORD }, { remoteAddress: '10.33.0.1' });
    expect(fresh.statusCode).toBe(200);

    // Under attack, one wrong password from a new address earns that address a short delay...
    const from = '10.33.0.2';
    expect(
      (await signInRequest(api.app, { email, password: 'typo' }, { remoteAddress: from })).statusCode,
    ).toBe(401);
    const waiting = await signInRequest(api.app, { email, password: PASSWORD }, { remoteAddress: from });
    expect(waiting.statusCode).toBe(429);
    expect(waiting.json().message).toMatch(/try again in (29|30) seconds/);
    // ...which strangers elsewhere cannot lengthen: once it passes, the right password works.
    await attackFrom(addresses('10.34.0', 5), email, 7);
    await unlock('pair', `${from}|${email}`);
    const ok = await signInRequest(api.app, { email, password: PASSWORD }, { remoteAddress: from });
    expect(ok.statusCode).toBe(200);
  });

  it("strangers' failures never stop the person changing their own password", async () => {
    const victim = await userWithPassword(t.db, { trustId, roles: [{ schoolId, role: 'comms' }] });
    await attackFrom(addresses('10.38.0', 3), victim.email.toLowerCase(), 6);
    const session = await signIn(t.db, victim.id);
    const res = await api.app.inject({
      method: 'PUT',
      url: `/api/users/${victim.id}/password`,
      headers: session.headers,
      payload: { currentPassword: PASSWORD, newPassword: 'a new and longer passphrase' },
    });
    expect(res.statusCode).toBe(200);
  });

  it('a device known for one account is unknown for another', async () => {
    const owner = await userWithPassword(t.db, { trustId });
    const other = await userWithPassword(t.db, { trustId });
    const signedIn = await signInRequest(
      api.app,
      { email: owner.email, password: PASSWORD },
      { remoteAddress: '10.35.0.1' },
    );
    const device = deviceCookie(signedIn)!.value;
    const from = '10.35.0.2';
    await attackFrom([from], other.email.toLowerCase(), 5);
    const res = await signInRequest(
      api.app,
      { email: other.email, password: PASSWORD },
      { remoteAddress: from, device },
    );
    expect(res.statusCode).toBe(429);
  });

  it('a known device that keeps failing is locked itself, and only itself', async () => {
    const user = await userWithPassword(t.db, { trustId });
    const email = user.email.toLowerCase();
    const signedIn = await signInRequest(
      api.app,
      { email, password: PASSWORD },
      { remoteAddress: '10.36.0.1' },
    );
    const device = deviceCookie(signedIn)!.value;
    for (let i = 0; i < 5; i++) {
      const res = await signInRequest(
        api.app,
        { email, password: `guess ${i}` },
        { remoteAddress: '10.36.0.1', device },
      );
      expect(res.statusCode).toBe(401);
    }
    const locked = await signInRequest(
      api.app,
      { email, password: PASSWORD },
      { remoteAddress: '10.36.0.1', device },
    );
    expect(locked.statusCode).toBe(429);
    // Its failures were not strangers' failures: nothing else is locked, and nobody is told.
    expect(await throttleRow('account', email)).toBeUndefined();
    const elsewhere = await signInRequest(
      api.app,
      { email, password: PASSWORD },
      { remoteAddress: '10.36.0.2' },
    );
    expect(elsewhere.statusCode).toBe(200);
  });

  it('tells the person once, not per attempt, when strangers keep guessing their password; and audits it', async () => {
    const victim = await userWithPassword(t.db, {
      trustId,
      roles: [{ schoolId, role: 'safeguarding_lead' }],
    });
    const email = victim.email.toLowerCase();
    const told = async () =>
      t.db
        .select()
        .from(notifications)
        .where(and(eq(notifications.userId, victim.id), eq(notifications.event, 'user.sign_in_attacked')));

    // The school's shared channel wants every event; a personal security notice still skips it.
    await t.db
      .insert(schoolWebhooks)
      .values({ schoolId, kind: 'slack', label: 'Staff room', urlEncrypted: 'not-used' });
    await attackFrom(addresses('10.37.0', 2), email, 4);
    expect(await told()).toHaveLength(0);
    await attackFrom(addresses('10.37.1', 10), email, 4);
    const notices = await told();
    expect(notices).toHaveLength(1);
    expect(notices[0]!.title).toBe('Someone is trying to sign in to your Hallmonitor account');
    expect(notices[0]!.readAt).toBeNull();
    const emails = await t.db
      .select()
      .from(notificationDeliveries)
      .where(eq(notificationDeliveries.notificationId, notices[0]!.id));
    expect(emails.map((d) => [d.channel, d.target])).toEqual([['email', victim.email]]);
    const entries = await t.db
      .select()
      .from(auditEntries)
      .where(and(eq(auditEntries.action, 'user.sign_in_attacked'), eq(auditEntries.subjectId, victim.id)));
    expect(entries).toHaveLength(1);
    expect(entries[0]!.details).toMatchObject({ unknownDeviceFailures: ATTACK_THRESHOLD, notified: true });

    // An hour on, a continuing attack is worth telling them again.
    await t.db
      .update(loginThrottles)
      .set({ notifiedAt: new Date(Date.now() - 61 * 60_000) })
      .where(and(eq(loginThrottles.kind, 'account'), eq(loginThrottles.key, email)));
    await attackFrom(addresses('10.37.2', 1), email, 1);
    expect(await told()).toHaveLength(2);
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
    // Spraying on earns the address a longer wait.
    await unlock('address', from);
    await signInRequest(api.app, { email: 'spray-20@school.test', password: 'x' }, { remoteAddress: from });
    const longer = await signInRequest(
      api.app,
      { email: user.email, password: PASSWORD },
      { remoteAddress: from },
    );
    expect(longer.json().message).toMatch(/try again in (59|60) seconds/);

    const elsewhere = await signInRequest(
      api.app,
      { email: user.email, password: PASSWORD },
      { remoteAddress: '10.9.9.10' },
    );
    expect(elsewhere.statusCode).toBe(200);
  });

  it('forgets records nothing reads any more, and keeps a running lock or a recent notice', async () => {
    const hours = (h: number) => new Date(Date.now() - h * 60 * 60_000);
    const rows = [
      { kind: 'pair' as const, key: 'prune|stale', failures: 3, lastFailureAt: hours(2) },
      {
        kind: 'pair' as const,
        key: 'prune|locked',
        failures: 30,
        lastFailureAt: hours(2),
        lockedUntil: new Date(Date.now() + 60_000),
      },
      {
        kind: 'account' as const,
        key: 'prune|told',
        failures: 12,
        lastFailureAt: hours(1.5),
        notifiedAt: hours(0.5),
      },
      { kind: 'address' as const, key: 'prune|fresh', failures: 1, lastFailureAt: hours(0.1) },
    ];
    await t.db.insert(loginThrottles).values(rows);
    await pruneThrottles(t.db);
    const left = await t.db
      .select({ key: loginThrottles.key })
      .from(loginThrottles)
      .where(sql`${loginThrottles.key} like 'prune|%'`);
    expect(left.map((r) => r.key).sort()).toEqual(['prune|fresh', 'prune|locked', 'prune|told']);
  });
});
