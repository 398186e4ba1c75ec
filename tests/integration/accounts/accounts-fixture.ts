import type { InjectOptions } from 'fastify';
import { expect } from 'vitest';
import type { Database } from '../../../db/client.js';
import type { SchoolRole } from '../../../db/schema/index.js';
import type { TestApp } from '../../helpers/build-test-app.js';
import { createSchool, createUser } from '../../helpers/factories.js';
import { signIn } from '../../helpers/sign-in.js';

export interface Person {
  id: string;
  headers: Record<string, string>;
}

async function person(db: Database, trustId: string, schoolId: string, roles: SchoolRole[], name: string) {
  const user = await createUser(db, {
    trustId,
    displayName: name,
    roles: roles.map((role) => ({ schoolId, role })),
  });
  return { id: user.id, headers: (await signIn(db, user.id)).headers } satisfies Person;
}

/** A school with the cast a governance story needs, plus a user of another school. */
export async function governanceCast(db: Database) {
  // No policy published yet: the governance stories publish and acknowledge it themselves (P5).
  const school = await createSchool(db, { name: 'Oakfield Primary', policyVersionLabel: null });
  const other = await createSchool(db, { trustId: school.trustId, name: 'Elm Academy' });
  const at = (roles: SchoolRole[], name: string) => person(db, school.trustId, school.id, roles, name);
  return {
    school,
    otherSchool: other,
    comms: await at(['comms'], 'Ms Comms'),
    leader: await at(['senior_leader'], 'Mr Head'),
    leader2: await at(['senior_leader'], 'Mrs Deputy'),
    adminA: await at(['comms'], 'Admin A'),
    adminB: await at(['comms'], 'Admin B'),
    adminC: await at(['comms'], 'Admin C'),
    auditor: await at(['auditor'], 'Ms Auditor'),
    // P8: a school activates nothing without a safeguarding lead.
    dsl: await at(['safeguarding_lead'], 'Ms Safeguarding'),
    outsider: await person(db, school.trustId, other.id, ['senior_leader', 'comms'], 'Elm Head'),
  };
}
export type Cast = Awaited<ReturnType<typeof governanceCast>>;

export function caller(api: TestApp) {
  return (who: Person, method: InjectOptions['method'], url: string, payload?: object) =>
    api.app.inject({ method, url, headers: who.headers, ...(payload ? { payload } : {}) });
}

export const confirmed = (userId: string) => ({ userId, trainingCompleted: true, acceptableUseSigned: true });

export function proposal(cast: Cast, handle: string, adminIds = [cast.adminA.id, cast.adminB.id]) {
  return {
    schoolId: cast.school.id,
    platform: 'x',
    handle: `@${handle}`,
    purpose: 'News and celebrations for parents',
    audience: 'Parents and carers of Oakfield pupils',
    admins: adminIds.map(confirmed),
    moderation: { offensiveThreshold: 'high', autoHide: true, twoAdminHide: false },
  };
}

/** Clicks Connect, approves as `username` at the sandbox, and follows X's redirect back into the API. */
export async function connectAs(api: TestApp, who: Person, accountId: string, username: string) {
  const call = caller(api);
  const started = await call(who, 'POST', `/api/accounts/${accountId}/connect`);
  expect(started.statusCode, started.body).toBe(200);
  const authorizeUrl = new URL(started.json().authorizeUrl);
  expect(authorizeUrl.origin).toBe(new URL(api.config.x.apiBaseUrl!).origin);
  expect(authorizeUrl.searchParams.get('code_challenge_method')).toBe('s256');
  authorizeUrl.searchParams.set('sandbox_user', username);
  const atX = await fetch(authorizeUrl, { redirect: 'manual' });
  expect(atX.status).toBe(302);
  const back = new URL(atX.headers.get('location')!);
  expect(back.pathname).toBe('/api/accounts/connect/callback');
  return call(who, 'GET', `${back.pathname}${back.search}`);
}
