import { and, eq } from 'drizzle-orm';
import { z } from 'zod';
import { accountAdmins } from '../../db/schema/index.js';
import { emitAudit } from '../audit/emit-audit.js';
import type { ServiceContext } from '../core/service-context.js';
import { notFound, preconditionFailed } from '../core/service-error.js';
import { withTransaction } from '../core/with-transaction.js';
import { accountAdminIds } from '../notifications/notify-users.js';
import { assertAdminOrRole, loadAccount } from './account-access.js';
import { accountLabel } from './account-label.js';
import { loadPeopleSettings, watchShortfalls } from './account-risks.js';
import { type AccountView, describeAccount } from './account-view.js';

export const MINIMUM_ADMINS = 2;

export const removeAccountAdminInput = z.object({
  accountId: z.uuid(),
  userId: z.uuid(),
  note: z.string().trim().max(4_000).optional(),
});
export type RemoveAccountAdminInput = z.input<typeof removeAccountAdminInput>;

/**
 * P4: an active account keeps at least two admins. The account row is locked first, so two
 * removals at once cannot both see three admins and leave one.
 */
export async function removeAccountAdmin(
  ctx: ServiceContext,
  raw: RemoveAccountAdminInput,
): Promise<AccountView> {
  const input = removeAccountAdminInput.parse(raw);
  return withTransaction(ctx, async (tx) => {
    const account = await loadAccount(ctx, tx, input.accountId, { forUpdate: true });
    assertAdminOrRole(ctx, account, ['senior_leader'], "change the account's admins");
    const label = accountLabel(account);
    const current = await accountAdminIds(tx, account.id);
    const remaining = current.filter((id) => id !== input.userId).length;
    const { shortfallMode } = await loadPeopleSettings(tx, account.schoolId);
    if (
      shortfallMode === 'refuse' &&
      account.status === 'active' &&
      current.includes(input.userId) &&
      remaining < MINIMUM_ADMINS
    ) {
      throw preconditionFailed(
        `${label} is active and must keep at least ${MINIMUM_ADMINS} admins; add another admin or hand this one over first`,
        { admins: current.length },
      );
    }
    const watch = await watchShortfalls(tx, [account.schoolId]);
    const [removed] = await tx
      .delete(accountAdmins)
      .where(and(eq(accountAdmins.accountId, account.id), eq(accountAdmins.userId, input.userId)))
      .returning();
    if (!removed) throw notFound('That admin');
    await emitAudit(tx, ctx, {
      action: 'account.admin_removed',
      schoolId: account.schoolId,
      subject: { type: 'account', id: account.id, label },
      details: { userId: input.userId, remainingAdmins: remaining, note: input.note ?? null },
    });
    await watch.settle(ctx, `Removing an admin from ${label}`);
    return describeAccount(tx, account);
  });
}
