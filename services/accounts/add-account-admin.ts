import { z } from 'zod';
import { accountAdmins } from '../../db/schema/index.js';
import { emitAudit } from '../audit/emit-audit.js';
import { requireUserId } from '../core/authorization.js';
import type { ServiceContext } from '../core/service-context.js';
import { conflict } from '../core/service-error.js';
import { withTransaction } from '../core/with-transaction.js';
import { notifyUsers } from '../notifications/notify-users.js';
import { assertAdminOrRole, loadAccount } from './account-access.js';
import { accountLabel } from './account-label.js';
import { watchShortfalls } from './account-risks.js';
import { type AccountView, describeAccount } from './account-view.js';
import { adminConfirmationSchema, assertStaffOfSchool } from './propose-account.js';

export const addAccountAdminInput = adminConfirmationSchema.extend({
  accountId: z.uuid(),
  note: z.string().trim().max(4_000).optional(),
});
export type AddAccountAdminInput = z.input<typeof addAccountAdminInput>;

const CLOSED = new Set(['rejected', 'retired']);

/** An admin or a senior leader names another trained member of staff as an admin (P4). */
export async function addAccountAdmin(ctx: ServiceContext, raw: AddAccountAdminInput): Promise<AccountView> {
  const input = addAccountAdminInput.parse(raw);
  const actorId = requireUserId(ctx);
  return withTransaction(ctx, async (tx) => {
    const account = await loadAccount(ctx, tx, input.accountId, { forUpdate: true });
    assertAdminOrRole(ctx, account, ['senior_leader'], "change the account's admins");
    const label = accountLabel(account);
    if (CLOSED.has(account.status)) throw conflict(`${label} is ${account.status}; its admins cannot change`);
    await assertStaffOfSchool(tx, account.schoolId, [input.userId]);
    const watch = await watchShortfalls(tx, [account.schoolId]);
    const [added] = await tx
      .insert(accountAdmins)
      .values({
        accountId: account.id,
        userId: input.userId,
        addedBy: actorId,
        trainingConfirmedAt: new Date(),
      })
      .onConflictDoNothing()
      .returning();
    if (!added) throw conflict('That person is already an admin of this account');
    await emitAudit(tx, ctx, {
      action: 'account.admin_added',
      schoolId: account.schoolId,
      subject: { type: 'account', id: account.id, label },
      details: {
        userId: input.userId,
        trainingConfirmed: true,
        acceptableUseSigned: true,
        note: input.note ?? null,
      },
    });
    await notifyUsers(tx, {
      schoolId: account.schoolId,
      userIds: [input.userId],
      event: 'account.admin_added',
      urgency: 'normal',
      title: `You are now an admin of ${label}`,
      body: `${ctx.actor.label} made you an admin of ${label}. Please read and acknowledge the school's social media policy.`,
      link: `/accounts/${account.id}`,
      subject: { type: 'account', id: account.id },
    });
    await watch.settle(ctx, `Adding an admin to ${label}`);
    return describeAccount(tx, account);
  });
}
