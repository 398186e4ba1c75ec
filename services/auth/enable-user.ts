import { and, eq, isNotNull } from 'drizzle-orm';
import type { z } from 'zod';
import { users } from '../../db/schema/index.js';
import { watchShortfalls } from '../accounts/account-risks.js';
import { emitAudit } from '../audit/emit-audit.js';
import type { ServiceContext } from '../core/service-context.js';
import { conflict } from '../core/service-error.js';
import { withTransaction } from '../core/with-transaction.js';
import { type UserStatusChange, userStatusInput } from './disable-user.js';
import { loadManagedUser, userLabel } from './managed-user.js';

/** Lets a disabled person sign in again; their roles are as they were. */
export async function enableUser(
  ctx: ServiceContext,
  raw: z.input<typeof userStatusInput>,
): Promise<UserStatusChange> {
  const input = userStatusInput.parse(raw);
  return withTransaction(ctx, async (tx) => {
    const { user, schoolIds } = await loadManagedUser(tx, ctx, input.userId, {
      doing: 'enable people',
      wholeUser: true,
    });
    const watch = await watchShortfalls(tx, schoolIds);
    const [row] = await tx
      .update(users)
      .set({ disabledAt: null })
      .where(and(eq(users.id, user.id), isNotNull(users.disabledAt)))
      .returning({ id: users.id });
    if (!row) throw conflict(`${user.displayName} is not disabled`);
    await watch.settle(ctx, `Enabling ${user.displayName}`);
    await emitAudit(tx, ctx, {
      action: 'user.enabled',
      schoolId: schoolIds[0] ?? null,
      subject: userLabel(user),
      details: { reason: input.reason ?? null, schoolIds },
    });
    return { userId: user.id, disabled: false, sessionsEnded: 0 };
  });
}
