import { and, eq, isNull } from 'drizzle-orm';
import { z } from 'zod';
import { users } from '../../db/schema/index.js';
import { watchShortfalls } from '../accounts/account-risks.js';
import { emitAudit } from '../audit/emit-audit.js';
import type { ServiceContext } from '../core/service-context.js';
import { conflict, preconditionFailed } from '../core/service-error.js';
import { withTransaction } from '../core/with-transaction.js';
import { loadManagedUser, userLabel } from './managed-user.js';
import { destroyUserSessions } from './session-store.js';

export const userStatusInput = z.object({
  userId: z.uuid(),
  reason: z.string().trim().max(500).optional(),
});

export interface UserStatusChange {
  userId: string;
  disabled: boolean;
  sessionsEnded: number;
}

/** Stops a person signing in and ends every session they have, at once. */
export async function disableUser(
  ctx: ServiceContext,
  raw: z.input<typeof userStatusInput>,
): Promise<UserStatusChange> {
  const input = userStatusInput.parse(raw);
  if (ctx.actor.type === 'user' && ctx.actor.id === input.userId) {
    throw preconditionFailed('You cannot disable your own account; ask another trust admin');
  }
  return withTransaction(ctx, async (tx) => {
    const { user, schoolIds } = await loadManagedUser(tx, ctx, input.userId, {
      doing: 'disable people',
      wholeUser: true,
    });
    const watch = await watchShortfalls(tx, schoolIds);
    const [row] = await tx
      .update(users)
      .set({ disabledAt: new Date() })
      .where(and(eq(users.id, user.id), isNull(users.disabledAt)))
      .returning({ id: users.id });
    if (!row) throw conflict(`${user.displayName} is already disabled`);
    await watch.settle(ctx, `Disabling ${user.displayName}`);
    const sessionsEnded = await destroyUserSessions(tx, user.id);
    await emitAudit(tx, ctx, {
      action: 'user.disabled',
      schoolId: schoolIds[0] ?? null,
      subject: userLabel(user),
      details: { reason: input.reason ?? null, schoolIds, sessionsEnded },
    });
    return { userId: user.id, disabled: true, sessionsEnded };
  });
}
