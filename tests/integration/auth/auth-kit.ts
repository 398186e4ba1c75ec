import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { Database } from '../../../db/client.js';
import type { SchoolRole } from '../../../db/schema/index.js';
import { DEVICE_COOKIE } from '../../../services/auth/device-cookie.js';
import { hashPassword } from '../../../services/auth/hash-password.js';
import { SESSION_COOKIE } from '../../../services/auth/session-store.js';
import { createSchool, createTrust, createUser } from '../../helpers/factories.js';

export const PASSWORD = 'correct horse battery staple';

let hashed: Promise<string> | undefined;
/** One hash for every test user: argon2 is slow on purpose. */
export const passwordHash = () => {
  hashed ??= hashPassword(PASSWORD);
  return hashed;
};

export async function userWithPassword(
  db: Database,
  values: { trustId: string; email?: string; roles?: { schoolId: string; role: SchoolRole }[] },
) {
  return createUser(db, { ...values, passwordHash: await passwordHash() });
}

/** A trust with two schools, and another trust with one, for scope tests. */
export async function twoTrusts(db: Database) {
  const trust = await createTrust(db);
  const schoolA = await createSchool(db, { trustId: trust.id });
  const schoolB = await createSchool(db, { trustId: trust.id });
  const otherTrust = await createTrust(db);
  const otherSchool = await createSchool(db, { trustId: otherTrust.id });
  return { trust, schoolA, schoolB, otherTrust, otherSchool };
}

export function signInRequest(
  app: FastifyInstance,
  body: { email: string; password: string },
  options: { cookie?: string; remoteAddress?: string; device?: string } = {},
) {
  const cookies = [
    ...(options.cookie ? [`${SESSION_COOKIE}=${options.cookie}`] : []),
    ...(options.device ? [`${DEVICE_COOKIE}=${options.device}`] : []),
  ];
  return app.inject({
    method: 'POST',
    url: '/auth/sign-in',
    payload: body,
    ...(options.remoteAddress ? { remoteAddress: options.remoteAddress } : {}),
    headers: cookies.length ? { cookie: cookies.join('; ') } : {},
  });
}

export function sessionCookie(res: LightMyRequestResponse) {
  return res.cookies.find((c) => c.name === SESSION_COOKIE);
}

/** The device cookie a successful sign-in sets: the browser is known for that account. */
export function deviceCookie(res: LightMyRequestResponse) {
  return res.cookies.find((c) => c.name === DEVICE_COOKIE);
}

/** Headers for app.inject as a browser holding this session would send them. */
export const asSession = (cookieValue: string, csrfToken?: string) => ({
  cookie: `${SESSION_COOKIE}=${cookieValue}`,
  ...(csrfToken ? { 'x-csrf-token': csrfToken } : {}),
});
