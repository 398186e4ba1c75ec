import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { users } from '../../db/schema/index.js';
import { emitAudit } from '../audit/emit-audit.js';
import type { ServiceContext } from '../core/service-context.js';
import { invalidInput, ServiceError } from '../core/service-error.js';
import { withTransaction } from '../core/with-transaction.js';
import { hashPassword, PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH, verifyPassword } from './hash-password.js';
import { lockedForSeconds, recordKeyFailure, type ThrottleKey } from './login-throttle.js';
import { loadManagedUser, userLabel } from './managed-user.js';
import { destroyUserSessions } from './session-store.js';

export const setPasswordInput = z.object({
  userId: z.uuid(),
  newPassword: z
    .string()
    .min(PASSWORD_MIN_LENGTH, `at least ${PASSWORD_MIN_LENGTH} characters`)
    .max(PASSWORD_MAX_LENGTH, `at most ${PASSWORD_MAX_LENGTH} characters`),
  /** Required when a person changes their own password. */
  currentPassword: z.string().max(1024).optional(),
});

/**
 * A person changes their own password with the current one; a trust admin of every school the
 * person works at sets one (the initial password, or a reset). Either way every session of the
 * person ends, including the one that made the change.
 */
export async function setPassword(
  ctx: ServiceContext,
  raw: z.input<typeof setPasswordInput>,
): Promise<{ userId: string; sessionsEnded: number }> {
  const input = setPasswordInput.parse(raw);
  const self = ctx.actor.type === 'user' && ctx.actor.id === input.userId;

  if (self) {
    const [me] = await ctx.db.select().from(users).where(eq(users.id, input.userId));
    // Only the person's own sessions can get here, so only they count: strangers' sign-in
    // failures never stop someone changing their password.
    const key: ThrottleKey = { kind: 'device', key: `session|${input.userId}` };
    const locked = await lockedForSeconds(ctx.db, [key]);
    if (locked > 0)
      throw new ServiceError('RATE_LIMITED', `Too many attempts; try again in ${locked} seconds`);
    const ok = !!me?.passwordHash && (await verifyPassword(me.passwordHash, input.currentPassword ?? ''));
    if (!ok) {
      await recordKeyFailure(ctx.db, key);
      throw invalidInput('currentPassword: the current password is incorrect');
    }
  }

  const hash = await hashPassword(input.newPassword);
  return withTransaction(ctx, async (tx) => {
    const { user, schoolIds } = self
      ? { user: (await tx.select().from(users).where(eq(users.id, input.userId)))[0]!, schoolIds: [] }
      : await loadManagedUser(tx, ctx, input.userId, { doing: "set people's passwords", wholeUser: true });
    await tx.update(users).set({ passwordHash: hash }).where(eq(users.id, user.id));
    const sessionsEnded = await destroyUserSessions(tx, user.id);
    await emitAudit(tx, ctx, {
      action: 'user.password_set',
      schoolId: schoolIds[0] ?? null,
      subject: userLabel(user),
      details: { by: self ? 'self' : 'trust_admin', sessionsEnded },
    });
    return { userId: user.id, sessionsEnded };
  });
}
