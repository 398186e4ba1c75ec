import { eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import { users } from '../../db/schema/index.js';
import { emitAudit } from '../audit/emit-audit.js';
import type { ServiceContext } from '../core/service-context.js';
import { ServiceError } from '../core/service-error.js';
import { withTransaction } from '../core/with-transaction.js';
import { verifyAgainstDummy, verifyPassword } from './hash-password.js';
import { lockedForSeconds, recordFailure, resetThrottle, type ThrottleKey } from './login-throttle.js';
import { openSession, type SignInResult } from './open-session.js';

/** One message for every way a password sign-in can fail, so it never tells which accounts exist. */
export const SIGN_IN_FAILED = 'Email or password is incorrect';

export const signInInput = z.object({
  email: z.string().trim().max(320),
  password: z.string().max(1024),
  /** Where the attempt came from, for the per-address throttle and the audit entry. */
  address: z.string().max(100),
  userAgent: z.string().optional(),
  previousSessionId: z.string().optional(),
});
export type SignInInput = z.input<typeof signInInput>;

type FailureReason = 'unknown_account' | 'wrong_password' | 'no_password' | 'disabled' | 'throttled';

/**
 * Signs a person in with email and password. Throttled per account (the email typed, known or not)
 * and per address; a locked attempt is refused before the password is looked at.
 */
export async function signInWithPassword(ctx: ServiceContext, raw: SignInInput): Promise<SignInResult> {
  const input = signInInput.parse(raw);
  const email = input.email.toLowerCase();
  const keys: ThrottleKey[] = [
    { kind: 'account', key: email },
    { kind: 'address', key: input.address },
  ];

  const [user] = await ctx.db
    .select()
    .from(users)
    .where(eq(sql`lower(${users.email})`, email));

  const fail = async (reason: FailureReason, retryAfter?: number): Promise<never> => {
    await withTransaction(ctx, async (tx) => {
      if (reason !== 'throttled') await recordFailure(tx, keys);
      await emitAudit(tx, ctx, {
        action: 'user.sign_in_failed',
        schoolId: null,
        subject: user
          ? { type: 'user', id: user.id, label: user.displayName }
          : { type: 'user', id: null, label: 'unknown account' },
        details: { method: 'password', reason },
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
  if (locked > 0) return fail('throttled', locked);

  if (!user) {
    await verifyAgainstDummy(input.password);
    return fail('unknown_account');
  }
  const ok = user.passwordHash
    ? await verifyPassword(user.passwordHash, input.password)
    : await verifyAgainstDummy(input.password);
  if (!user.passwordHash) return fail('no_password');
  if (!ok) return fail('wrong_password');
  if (user.disabledAt) return fail('disabled');

  return withTransaction(ctx, async (tx) => {
    await resetThrottle(tx, { kind: 'account', key: email });
    return openSession(tx, ctx, user, 'password', input);
  });
}
