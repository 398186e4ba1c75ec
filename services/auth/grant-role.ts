import { and, eq } from 'drizzle-orm';
import { z } from 'zod';
import { memberships, SCHOOL_ROLES, schools } from '../../db/schema/index.js';
import { watchShortfalls } from '../accounts/account-risks.js';
import { emitAudit } from '../audit/emit-audit.js';
import { assertRole } from '../core/authorization.js';
import type { ServiceContext } from '../core/service-context.js';
import { conflict, notFound } from '../core/service-error.js';
import { withTransaction } from '../core/with-transaction.js';
import { loadManagedUser, userLabel } from './managed-user.js';
import { destroyUserSessions } from './session-store.js';

export const changeRoleInput = z.object({
  userId: z.uuid(),
  schoolId: z.uuid(),
  role: z.enum(SCHOOL_ROLES),
});

export interface RoleChange {
  userId: string;
  schoolId: string;
  role: string;
  sessionsEnded: number;
}

/**
 * Gives a user a role at a school where the caller is trust admin. The user's sessions end, so the
 * new role takes effect from a fresh sign-in and no open tab keeps a stale view of what they may do.
 */
export async function grantRole(
  ctx: ServiceContext,
  raw: z.input<typeof changeRoleInput>,
): Promise<RoleChange> {
  const input = changeRoleInput.parse(raw);
  return withTransaction(ctx, async (tx) => {
    const { user } = await loadManagedUser(tx, ctx, input.userId, { doing: 'grant roles', wholeUser: false });
    assertRole(ctx, input.schoolId, ['trust_admin'], 'grant roles');
    const [school] = await tx
      .select({ id: schools.id })
      .from(schools)
      .where(and(eq(schools.id, input.schoolId), eq(schools.trustId, user.trustId)));
    if (!school) throw notFound('School');

    const watch = await watchShortfalls(tx, [input.schoolId]);
    const [row] = await tx
      .insert(memberships)
      .values({ userId: user.id, schoolId: input.schoolId, role: input.role })
      .onConflictDoNothing()
      .returning();
    if (!row) throw conflict(`${user.displayName} already holds that role at that school`);
    await watch.settle(ctx, `Granting ${input.role.replaceAll('_', ' ')} to ${user.displayName}`);
    const sessionsEnded = await destroyUserSessions(tx, user.id);
    await emitAudit(tx, ctx, {
      action: 'user.role_granted',
      schoolId: input.schoolId,
      subject: userLabel(user),
      details: { role: input.role, sessionsEnded },
    });
    return { userId: user.id, schoolId: input.schoolId, role: input.role, sessionsEnded };
  });
}
