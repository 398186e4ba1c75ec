import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memberships, trustDomains, users } from '../../../db/schema/index.js';
import { hashPassword } from '../../../services/auth/hash-password.js';
import { buildTestApp, type TestApp } from '../../helpers/build-test-app.js';
import { expectAuditEntry } from '../../helpers/expect-audit-entry.js';
import { createUser } from '../../helpers/factories.js';
import { type SignedIn, signIn } from '../../helpers/sign-in.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';
import { PASSWORD, signInRequest, twoTrusts, userWithPassword } from './auth-kit.js';

/**
 * Issue #21 item 6: an invitation must not tell one trust who has an account in another, and a
 * trust that proves it holds an email domain keeps other trusts from using it.
 */

let t: TestDatabase;
let api: TestApp;
let world: Awaited<ReturnType<typeof twoTrusts>>;
/** Trust admin of the first trust (school A). */
let ours: { id: string; session: SignedIn };
/** Trust admin of the other trust: the curious one. */
let theirs: { id: string; session: SignedIn };
/** The DNS, as far as the app can see: TXT records by name. */
const txt = new Map<string, string[][]>();

beforeAll(async () => {
  t = await createTestDatabase();
  api = await buildTestApp(t.db, {
    resolveTxt: async (name) => {
      if (name.startsWith('_hallmonitor-challenge.servfail.'))
        throw Object.assign(new Error('queryTxt ESERVFAIL'), { code: 'ESERVFAIL' });
      const records = txt.get(name);
      if (!records) throw Object.assign(new Error(`queryTxt ENOTFOUND ${name}`), { code: 'ENOTFOUND' });
      return records;
    },
  });
  world = await twoTrusts(t.db);
  const a = await createUser(t.db, {
    trustId: world.trust.id,
    roles: [{ schoolId: world.schoolA.id, role: 'trust_admin' }],
  });
  ours = { id: a.id, session: await signIn(t.db, a.id) };
  const b = await createUser(t.db, {
    trustId: world.otherTrust.id,
    roles: [{ schoolId: world.otherSchool.id, role: 'trust_admin' }],
  });
  theirs = { id: b.id, session: await signIn(t.db, b.id) };
});
afterAll(async () => {
  await api.close();
  await t.drop();
});

const invite = (who: SignedIn, email: string, schoolId: string) =>
  api.app.inject({
    method: 'POST',
    url: '/api/users',
    headers: who.headers,
    payload: { email, displayName: 'Invited person', roles: [{ schoolId, role: 'comms' }] },
  });
const claim = (who: SignedIn, domain: string) =>
  api.app.inject({ method: 'POST', url: '/api/trust/domains', headers: who.headers, payload: { domain } });
const verify = (who: SignedIn, domain: string) =>
  api.app.inject({
    method: 'POST',
    url: `/api/trust/domains/${domain}/verify`,
    headers: who.headers,
    payload: {},
  });
const snapshot = async (userId: string) => ({
  user: (await t.db.select().from(users).where(eq(users.id, userId)))[0],
  roles: await t.db.select().from(memberships).where(eq(memberships.userId, userId)),
});

describe('inviting an address another trust already has', () => {
  it('answers exactly as for a new address, and changes nothing in the other trust', async () => {
    const alice = await userWithPassword(t.db, {
      trustId: world.trust.id,
      email: 'alice@first-trust.test',
      roles: [{ schoolId: world.schoolA.id, role: 'safeguarding_lead' }],
    });
    const before = await snapshot(alice.id);

    const existing = await invite(theirs.session, 'Alice@First-Trust.test', world.otherSchool.id);
    const fresh = await invite(theirs.session, 'nobody-yet@first-trust.test', world.otherSchool.id);
    expect(existing.statusCode).toBe(201);
    expect(fresh.statusCode).toBe(201);
    const shape = (body: Record<string, unknown>) => ({
      ...body,
      id: typeof body.id,
      email: typeof body.email,
    });
    expect(shape(existing.json())).toEqual(shape(fresh.json()));
    expect(existing.json()).toMatchObject({
      email: 'Alice@First-Trust.test',
      trustId: world.otherTrust.id,
      roles: [{ schoolId: world.otherSchool.id, role: 'comms' }],
    });
    expect(existing.json().id).not.toBe(alice.id);
    expect(existing.body).not.toContain(alice.id);

    // Alice, her roles and her password are untouched, and she still signs in to her own trust.
    expect(await snapshot(alice.id)).toEqual(before);
    const signedIn = await signInRequest(
      api.app,
      { email: alice.email, password: PASSWORD },
      { remoteAddress: '10.60.0.1' },
    );
    expect(signedIn.statusCode).toBe(200);
    expect(signedIn.json().user).toMatchObject({ id: alice.id, trustId: world.trust.id });

    // The other trust sees its own invitation, never Alice's account.
    const listed = await api.app.inject({ url: '/api/users', headers: theirs.session.headers });
    const ids = listed.json().users.map((u: { id: string }) => u.id);
    expect(ids).toContain(existing.json().id);
    expect(ids).not.toContain(alice.id);
  });

  it("still answers the inviting trust's own duplicate with a clear 409", async () => {
    await createUser(t.db, { trustId: world.otherTrust.id, email: 'dup@second-trust.test' });
    const again = await invite(theirs.session, 'DUP@second-trust.test', world.otherSchool.id);
    expect(again.statusCode).toBe(409);
    expect(again.json().message).toBe(
      'Someone in your trust with that email address already has a Hallmonitor account',
    );
  });

  it('lets one address hold an account in each trust: the password picks the account', async () => {
    const email = 'shared.governor@both.test';
    const first = await userWithPassword(t.db, { trustId: world.trust.id, email });
    const second = await createUser(t.db, {
      trustId: world.otherTrust.id,
      email,
      passwordHash: await hashPassword('the other trust password'),
    });
    const one = await signInRequest(api.app, { email, password: PASSWORD }, { remoteAddress: '10.60.0.2' });
    expect(one.json().user).toMatchObject({ id: first.id, trustId: world.trust.id });
    const two = await signInRequest(
      api.app,
      { email, password: 'the other trust password' },
      { remoteAddress: '10.60.0.2' },
    );
    expect(two.json().user).toMatchObject({ id: second.id, trustId: world.otherTrust.id });
    const neither = await signInRequest(
      api.app,
      { email, password: 'neither of them' },
      { remoteAddress: '10.60.0.2' },
    );
    expect(neither.statusCode).toBe(401);
  });
});

describe('a trust claims its email domains', () => {
  it('proves a domain by DNS, after which other trusts cannot invite at it or under it', async () => {
    const claimed = await claim(ours.session, 'First-School.test.');
    expect(claimed.statusCode).toBe(201);
    const { txtRecord } = claimed.json();
    expect(claimed.json()).toMatchObject({ domain: 'first-school.test', verified: false });
    expect(txtRecord.name).toBe('_hallmonitor-challenge.first-school.test');
    expect(txtRecord.value).toMatch(/^hallmonitor-domain-verification=[\w-]{30,}$/);
    await expectAuditEntry(t.db, {
      action: 'trust.domain_claimed',
      subjectId: world.trust.id,
      actorId: ours.id,
      schoolId: world.schoolA.id,
      details: { domain: 'first-school.test' },
    });

    // A pending claim changes nothing: the other trust may still invite there.
    expect((await invite(theirs.session, 'early@first-school.test', world.otherSchool.id)).statusCode).toBe(
      201,
    );

    const unproved = await verify(ours.session, 'first-school.test');
    expect(unproved.statusCode).toBe(422);
    expect(unproved.json().message).toContain(
      `No TXT record ${txtRecord.name} with the value ${txtRecord.value}`,
    );

    txt.set(txtRecord.name, [
      ['some-other=record'],
      [txtRecord.value.slice(0, 20), txtRecord.value.slice(20)],
    ]);
    const proved = await verify(ours.session, 'first-school.test');
    expect(proved.statusCode).toBe(200);
    expect(proved.json()).toMatchObject({ domain: 'first-school.test', verified: true });
    await expectAuditEntry(t.db, {
      action: 'trust.domain_verified',
      subjectId: world.trust.id,
      actorId: ours.id,
    });

    const countBefore = await t.db.select({ n: sql<number>`count(*)::int` }).from(users);
    for (const email of ['carol@first-school.test', 'dave@staff.FIRST-SCHOOL.test']) {
      const refused = await invite(theirs.session, email, world.otherSchool.id);
      expect(refused.statusCode, email).toBe(403);
      expect(refused.json().message).toMatch(/belongs to another organisation/);
    }
    expect(await t.db.select({ n: sql<number>`count(*)::int` }).from(users)).toEqual(countBefore);

    // The domain's own trust invites there as before, and nobody else can claim it.
    expect((await invite(ours.session, 'carol@first-school.test', world.schoolA.id)).statusCode).toBe(201);
    const grab = await claim(theirs.session, 'first-school.test');
    expect(grab.statusCode).toBe(409);
    expect(grab.json().message).toMatch(/belongs to another organisation/);

    const listed = await api.app.inject({ url: '/api/trust/domains', headers: ours.session.headers });
    expect(listed.json().domains).toEqual([proved.json()]);
    const theirList = await api.app.inject({ url: '/api/trust/domains', headers: theirs.session.headers });
    expect(theirList.json().domains).toEqual([]);
  });

  it('only one trust can hold a domain verified, even if both published their records', async () => {
    const mine = (await claim(ours.session, 'contested.test')).json();
    const other = (await claim(theirs.session, 'contested.test')).json();
    txt.set(mine.txtRecord.name, [[mine.txtRecord.value], [other.txtRecord.value]]);
    expect((await verify(theirs.session, 'contested.test')).statusCode).toBe(200);
    const late = await verify(ours.session, 'contested.test');
    expect(late.statusCode).toBe(409);
    expect(late.json().message).toMatch(/belongs to another organisation/);
    const verified = await t.db.select().from(trustDomains).where(eq(trustDomains.domain, 'contested.test'));
    expect(verified.filter((c) => c.verifiedAt).map((c) => c.trustId)).toEqual([world.otherTrust.id]);
  });

  it('names what was wrong: a bad domain, an unclaimed one, a DNS that does not answer', async () => {
    const bad = await claim(ours.session, 'not a domain');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toMatch(/domain/);
    const unclaimed = await verify(ours.session, 'never-claimed.test');
    expect(unclaimed.statusCode).toBe(404);
    expect((await claim(ours.session, 'servfail.test')).statusCode).toBe(201);
    const dns = await verify(ours.session, 'servfail.test');
    expect(dns.statusCode).toBe(422);
    expect(dns.json().message).toMatch(/DNS did not answer .*ESERVFAIL/);
    expect((await claim(ours.session, 'servfail.test')).statusCode).toBe(409);
  });
});
