import { asc, eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import { type User, users } from '../../db/schema/index.js';
import { emitAudit } from '../audit/emit-audit.js';
import type { ServiceContext } from '../core/service-context.js';
import { ServiceError } from '../core/service-error.js';
import { withTransaction } from '../core/with-transaction.js';
import { issueDeviceCookie, readDeviceCookie } from './device-cookie.js';
import { verifyAgainstDummy, verifyPassword } from './hash-password.js';
import { lockedForSeconds, recordFailure, resetThrottle, throttleKeys } from './login-throttle.js';
import { openSession, type SignInResult } from './open-session.js';
import { reportSignInAttack } from './report-sign-in-attack.js';

/** One message for every way a password sign-in can fail, so it never tells which accounts exist. */
export const SIGN_IN_FAILED = 'Email or password is incorrect';

export const signInInput = z.object({
  email: z.string().trim().max(320),
  password: z.string().max(1024),
  /** Where the attempt came from, for the per-address throttle and the audit entry. */
  address: z.string().max(100),
  /** The browser's device cookie, if it has one (device-cookie.ts). */
  deviceCookie: z.string().max(2000).optional(),
  userAgent: z.string().optional(),
  previousSessionId: z.string().optional(),
});
export type SignInInput = z.input<typeof signInInput>;

export interface PasswordSignInResult extends SignInResult {
  /** The device cookie to set: this browser is now known for this account. */
  deviceCookie: string;
}

type FailureReason = 'unknown_account' | 'wrong_password' | 'no_password' | 'disabled' | 'throttled';

/**
 * Signs a person in with email and password. An attempt from a device the account has signed in
 * on before is throttled only by that device's own failures; any other attempt by its
 * (address, account) pair and by its address. So strangers elsewhere can slow themselves down but
 * never lock the person out. A locked attempt is refused before the password is looked at.
 *
 * One address may belong to people in several trusts (an account per trust): the password picks
 * the account.
 */
export async function signInWithPassword(
  ctx: ServiceContext,
  raw: SignInInput,
  deps: { deviceKey: Buffer },
): Promise<PasswordSignInResult> {
  const input = signInInput.parse(raw);
  const email = input.email.toLowerCase();

  const accounts = await ctx.db
    .select()
    .from(users)
    .where(eq(sql`lower(${users.email})`, email))
    .orderBy(asc(users.createdAt));
  const device = readDeviceCookie(deps.deviceKey, input.deviceCookie);
  const knownDevice = device && accounts.some((u) => device.userIds.includes(u.id)) ? device : null;
  const attempt = { email, address: input.address, deviceId: knownDevice?.deviceId ?? null };
  const keys = throttleKeys(attempt);

  const fail = async (reason: FailureReason, user: User | undefined, retryAfter?: number): Promise<never> => {
    await withTransaction(ctx, async (tx) => {
      if (reason !== 'throttled') {
        const { unknownDeviceFailures } = await recordFailure(tx, attempt);
        await reportSignInAttack(tx, ctx, { email, accounts, unknownDeviceFailures });
      }
      await emitAudit(tx, ctx, {
        action: 'user.sign_in_failed',
        schoolId: null,
        subject: user
          ? { type: 'user', id: user.id, label: user.displayName }
          : { type: 'user', id: null, label: 'unknown account' },
        details: { method: 'password', reason, knownDevice: knownDevice !== null },
        personal: { email: input.email, address: input.address },
      });
    });
    if (reason === 'throttled') {
      throw new ServiceError('RATE_LIMITED', `Too many attempts; try again in ${retryAfter} seconds`, {
        retryAfterSeconds: retryAfter,
      });
    }
    throw new ServiceError('UNAUTHENTICATED', SIGN_IN_FAILED);
  };

  const locked = await lockedForSeconds(ctx.db, keys);
  if (locked > 0) return fail('throttled', accounts[0], locked);

  const withPassword = accounts.filter((u) => u.passwordHash);
  const matching: User[] = [];
  for (const user of withPassword) {
    if (await verifyPassword(user.passwordHash!, input.password)) matching.push(user);
  }
  // Every failure costs at least one argon2 check, whether or not the account exists.
  if (withPassword.length === 0) await verifyAgainstDummy(input.password);

  if (accounts.length === 0) return fail('unknown_account', undefined);
  if (withPassword.length === 0) return fail('no_password', accounts[0]);
  if (matching.length === 0) return fail('wrong_password', withPassword[0]);
  const user = matching.find((u) => !u.disabledAt);
  if (!user) return fail('disabled', matching[0]);

  return withTransaction(ctx, async (tx) => {
    await resetThrottle(tx, keys);
    const result = await openSession(tx, ctx, user, 'password', input, { knownDevice: knownDevice !== null });
    return { ...result, deviceCookie: issueDeviceCookie(deps.deviceKey, device, user.id) };
  });
}
