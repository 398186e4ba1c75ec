import { and, eq } from 'drizzle-orm';
import type { z } from 'zod';
import { memberships } from '../../db/schema/index.js';
import { watchShortfalls } from '../accounts/account-risks.js';
import { emitAudit } from '../audit/emit-audit.js';
import { assertRole } from '../core/authorization.js';
import type { ServiceContext } from '../core/service-context.js';
import { notFound } from '../core/service-error.js';
import { withTransaction } from '../core/with-transaction.js';
import { changeRoleInput, type RoleChange } from './grant-role.js';
import { loadManagedUser, userLabel } from './managed-user.js';
import { destroyUserSessions } from './session-store.js';

/** Takes a role away at a school where the caller is trust admin, and ends the user's sessions. */
export async function revokeRole(
  ctx: ServiceContext,
  raw: z.input<typeof changeRoleInput>,
): Promise<RoleChange> {
  const input = changeRoleInput.parse(raw);
  return withTransaction(ctx, async (tx) => {
    const { user } = await loadManagedUser(tx, ctx, input.userId, {
      doing: 'revoke roles',
      wholeUser: false,
    });
    assertRole(ctx, input.schoolId, ['trust_admin'], 'revoke roles');
    const watch = await watchShortfalls(tx, [input.schoolId]);
    const removed = await tx
      .delete(memberships)
      .where(
        and(
          eq(memberships.userId, user.id),
          eq(memberships.schoolId, input.schoolId),
          eq(memberships.role, input.role),
        ),
      )
      .returning({ id: memberships.id });
    if (removed.length === 0) throw notFound('That role');
    await watch.settle(ctx, `Revoking ${input.role.replaceAll('_', ' ')} from ${user.displayName}`);
    const sessionsEnded = await destroyUserSessions(tx, user.id);
    await emitAudit(tx, ctx, {
      action: 'user.role_revoked',
      schoolId: input.schoolId,
      subject: userLabel(user),
      details: { role: input.role, sessionsEnded },
    });
    return { userId: user.id, schoolId: input.schoolId, role: input.role, sessionsEnded };
  });
}
