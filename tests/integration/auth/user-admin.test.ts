import { and, eq } from 'drizzle-orm';
import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memberships, users } from '../../../db/schema/index.js';
import { buildTestApp, type TestApp } from '../../helpers/build-test-app.js';
import { expectAuditEntry } from '../../helpers/expect-audit-entry.js';
import { createUser } from '../../helpers/factories.js';
import { type SignedIn, signIn } from '../../helpers/sign-in.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';
import { PASSWORD, sessionCookie, signInRequest, twoTrusts, userWithPassword } from './auth-kit.js';

let t: TestDatabase;
let api: TestApp;
let world: Awaited<ReturnType<typeof twoTrusts>>;
let admin: { id: string; session: SignedIn };
let comms: { id: string; session: SignedIn };
let outsider: { id: string };

beforeAll(async () => {
  t = await createTestDatabase();
  api = await buildTestApp(t.db);
  world = await twoTrusts(t.db);
  const a = await createUser(t.db, {
    trustId: world.trust.id,
    roles: [{ schoolId: world.schoolA.id, role: 'trust_admin' }],
  });
  admin = { id: a.id, session: await signIn(t.db, a.id) };
  const c = await createUser(t.db, {
    trustId: world.trust.id,
    roles: [{ schoolId: world.schoolA.id, role: 'comms' }],
  });
  comms = { id: c.id, session: await signIn(t.db, c.id) };
  outsider = await createUser(t.db, {
    trustId: world.otherTrust.id,
    roles: [{ schoolId: world.otherSchool.id, role: 'comms' }],
  });
});
afterAll(async () => {
  await api.close();
  await t.drop();
});

/** A colleague at school A to act on; fresh per test so the tests do not depend on each other. */
const colleague = (extra: { schoolId: string; role: 'comms' | 'auditor' }[] = []) =>
  userWithPassword(t.db, {
    trustId: world.trust.id,
    roles: [{ schoolId: world.schoolA.id, role: 'comms' }, ...extra],
  });

type Call = (userId: string) => InjectOptions;
const verbs: Record<string, Call> = {
  'grant role': (id) => ({
    method: 'POST',
    url: `/api/users/${id}/roles`,
    payload: { schoolId: world.schoolA.id, role: 'auditor' },
  }),
  'revoke role': (id) => ({ method: 'DELETE', url: `/api/users/${id}/roles/${world.schoolA.id}/comms` }),
  disable: (id) => ({ method: 'POST', url: `/api/users/${id}/disable`, payload: {} }),
  enable: (id) => ({ method: 'POST', url: `/api/users/${id}/enable`, payload: {} }),
  'set password': (id) => ({
    method: 'PUT',
    url: `/api/users/${id}/password`,
    payload: { newPassword: 'a brand new long password' },
  }),
};

const as = (who: SignedIn, request: InjectOptions) => api.app.inject({ ...request, headers: who.headers });

describe('who may administer users', () => {
  for (const [name, call] of Object.entries(verbs)) {
    it(`${name}: a non-trust-admin is refused with 403, and the refusal is audited`, async () => {
      const target = await colleague();
      const res = await as(comms.session, call(target.id));
      expect(res.statusCode).toBe(403);
      expect(res.json().error).toBe('FORBIDDEN');
      await expectAuditEntry(t.db, { action: 'request.refused', actorId: comms.id });
    });

    it(`${name}: a user of another trust is not found (404)`, async () => {
      const res = await as(admin.session, call(outsider.id));
      expect(res.statusCode).toBe(404);
    });
  }

  it('invite: a non-trust-admin is refused with 403; a school of another trust is 404', async () => {
    const invite = (who: SignedIn, schoolId: string) =>
      api.app.inject({
        method: 'POST',
        url: '/api/users',
        headers: who.headers,
        payload: {
          email: `new-${Date.now()}@school.test`,
          displayName: 'New Person',
          roles: [{ schoolId, role: 'comms' }],
        },
      });
    expect((await invite(comms.session, world.schoolA.id)).statusCode).toBe(403);
    expect((await invite(admin.session, world.otherSchool.id)).statusCode).toBe(404);
  });

  it('list: a non-trust-admin is refused with 403; it never shows another trust', async () => {
    expect((await api.app.inject({ url: '/api/users', headers: comms.session.headers })).statusCode).toBe(
      403,
    );
    const res = await api.app.inject({ url: '/api/users', headers: admin.session.headers });
    expect(res.statusCode).toBe(200);
    const ids = res.json().users.map((u: { id: string }) => u.id);
    expect(ids).toContain(comms.id);
    expect(ids).not.toContain(outsider.id);
  });

  it('a trust admin of one school cannot disable or reset someone who also works at a school they do not administer', async () => {
    const target = await colleague([{ schoolId: world.schoolB.id, role: 'comms' }]);
    expect((await as(admin.session, verbs.disable!(target.id))).statusCode).toBe(403);
    expect((await as(admin.session, verbs['set password']!(target.id))).statusCode).toBe(403);
    // Roles at their own school they may still change.
    expect((await as(admin.session, verbs['grant role']!(target.id))).statusCode).toBe(201);
  });

  it('a trust admin cannot grant a role at a school where they are not trust admin', async () => {
    const target = await colleague();
    const res = await as(admin.session, {
      method: 'POST',
      url: `/api/users/${target.id}/roles`,
      payload: { schoolId: world.schoolB.id, role: 'auditor' },
    });
    expect(res.statusCode).toBe(404);
  });
});

describe('user administration by a trust admin', () => {
  it('invites a user without a password, with roles, and audits it', async () => {
    const res = await api.app.inject({
      method: 'POST',
      url: '/api/users',
      headers: admin.session.headers,
      payload: {
        email: 'mr.invited@school.test',
        displayName: 'Mr Invited',
        roles: [{ schoolId: world.schoolA.id, role: 'senior_leader' }],
      },
    });
    expect(res.statusCode).toBe(201);
    const { id } = res.json();
    const [row] = await t.db.select().from(users).where(eq(users.id, id));
    expect(row).toMatchObject({ trustId: world.trust.id, passwordHash: null });
    await expectAuditEntry(t.db, { action: 'user.created', subjectId: id, actorId: admin.id });
    await expectAuditEntry(t.db, {
      action: 'user.role_granted',
      subjectId: id,
      schoolId: world.schoolA.id,
      details: { role: 'senior_leader' },
    });
    // The invited user cannot sign in with a password until one is set.
    const attempt = await signInRequest(api.app, { email: 'mr.invited@school.test', password: PASSWORD });
    expect(attempt.statusCode).toBe(401);

    const again = await api.app.inject({
      method: 'POST',
      url: '/api/users',
      headers: admin.session.headers,
      payload: { email: 'MR.INVITED@school.test', displayName: 'Twice', roles: [] },
    });
    expect(again.statusCode).toBe(409);
  });

  it('grants and revokes roles, auditing each with the sessions it ended', async () => {
    const target = await colleague();
    await signIn(t.db, target.id);
    const granted = await as(admin.session, verbs['grant role']!(target.id));
    expect(granted.json()).toMatchObject({ role: 'auditor', sessionsEnded: 1 });
    await expectAuditEntry(t.db, {
      action: 'user.role_granted',
      subjectId: target.id,
      actorId: admin.id,
      details: { role: 'auditor', sessionsEnded: 1 },
    });
    expect((await as(admin.session, verbs['grant role']!(target.id))).statusCode).toBe(409);

    const revoked = await as(admin.session, verbs['revoke role']!(target.id));
    expect(revoked.statusCode).toBe(200);
    await expectAuditEntry(t.db, {
      action: 'user.role_revoked',
      subjectId: target.id,
      details: { role: 'comms' },
    });
    const left = await t.db
      .select({ role: memberships.role })
      .from(memberships)
      .where(and(eq(memberships.userId, target.id)));
    expect(left.map((m) => m.role)).toEqual(['auditor']);
    expect((await as(admin.session, verbs['revoke role']!(target.id))).statusCode).toBe(404);
  });

  it('disables and enables a user; a disabled user cannot sign in', async () => {
    const target = await colleague();
    expect((await as(admin.session, verbs.disable!(target.id))).statusCode).toBe(200);
    await expectAuditEntry(t.db, { action: 'user.disabled', subjectId: target.id, actorId: admin.id });
    expect((await signInRequest(api.app, { email: target.email, password: PASSWORD })).statusCode).toBe(401);
    expect((await as(admin.session, verbs.disable!(target.id))).statusCode).toBe(409);

    expect((await as(admin.session, verbs.enable!(target.id))).statusCode).toBe(200);
    await expectAuditEntry(t.db, { action: 'user.enabled', subjectId: target.id });
    expect((await signInRequest(api.app, { email: target.email, password: PASSWORD })).statusCode).toBe(200);
  });

  it('a trust admin cannot disable themselves', async () => {
    expect((await as(admin.session, verbs.disable!(admin.id))).statusCode).toBe(422);
  });

  it("sets a user's initial password; the user signs in with it", async () => {
    const invited = await createUser(t.db, {
      trustId: world.trust.id,
      roles: [{ schoolId: world.schoolA.id, role: 'comms' }],
    });
    const res = await as(admin.session, verbs['set password']!(invited.id));
    expect(res.statusCode).toBe(200);
    await expectAuditEntry(t.db, {
      action: 'user.password_set',
      subjectId: invited.id,
      details: { by: 'trust_admin' },
    });
    const ok = await signInRequest(api.app, { email: invited.email, password: 'a brand new long password' });
    expect(ok.statusCode).toBe(200);
  });

  it('a user changes their own password only with the current one; a short one is refused', async () => {
    const me = await colleague();
    const session = await signIn(t.db, me.id);
    const change = (payload: object) =>
      api.app.inject({
        method: 'PUT',
        url: `/api/users/${me.id}/password`,
        headers: session.headers,
        payload,
      });
    const wrong = await change({ newPassword: 'another long password', currentPassword: 'not it' });
    expect(wrong.statusCode).toBe(400);
    const short = await change({ newPassword: 'short', currentPassword: PASSWORD });
    expect(short.statusCode).toBe(400);
    expect(short.json().message).toMatch(/at least 12 characters/);
    const ok = await change({ newPassword: 'another long password', currentPassword: PASSWORD });
    expect(ok.statusCode).toBe(200);
    const signedIn = await signInRequest(api.app, { email: me.email, password: 'another long password' });
    expect(sessionCookie(signedIn)).toBeDefined();
  });
});
