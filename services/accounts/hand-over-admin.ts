import { and, eq } from 'drizzle-orm';
import { z } from 'zod';
import { accountAdmins } from '../../db/schema/index.js';
import { emitAudit } from '../audit/emit-audit.js';
import { requireUserId } from '../core/authorization.js';
import type { ServiceContext } from '../core/service-context.js';
import { conflict, invalidInput, notFound } from '../core/service-error.js';
import { withTransaction } from '../core/with-transaction.js';
import { notifyUsers } from '../notifications/notify-users.js';
import { assertAdminOrRole, loadAccount } from './account-access.js';
import { accountLabel } from './account-label.js';
import { watchShortfalls } from './account-risks.js';
import { type AccountView, describeAccount } from './account-view.js';
import { adminConfirmationSchema, assertStaffOfSchool } from './propose-account.js';

export const handOverAdminInput = z.object({
  accountId: z.uuid(),
  fromUserId: z.uuid(),
  to: adminConfirmationSchema,
  note: z.string().trim().max(4_000).optional(),
});
export type HandOverAdminInput = z.input<typeof handOverAdminInput>;

const CLOSED = new Set(['rejected', 'retired']);

/** One admin hands the role to a trained colleague in one step, so the count never dips below two. */
export async function handOverAdmin(ctx: ServiceContext, raw: HandOverAdminInput): Promise<AccountView> {
  const input = handOverAdminInput.parse(raw);
  const actorId = requireUserId(ctx);
  if (input.fromUserId === input.to.userId) throw invalidInput('Hand over to someone else');
  return withTransaction(ctx, async (tx) => {
    const account = await loadAccount(ctx, tx, input.accountId, { forUpdate: true });
    assertAdminOrRole(ctx, account, ['senior_leader'], "change the account's admins");
    const label = accountLabel(account);
    if (CLOSED.has(account.status)) throw conflict(`${label} is ${account.status}; its admins cannot change`);
    await assertStaffOfSchool(tx, account.schoolId, [input.to.userId]);
    const watch = await watchShortfalls(tx, [account.schoolId]);
    const [removed] = await tx
      .delete(accountAdmins)
      .where(and(eq(accountAdmins.accountId, account.id), eq(accountAdmins.userId, input.fromUserId)))
      .returning();
    if (!removed) throw notFound('That admin');
    const [added] = await tx
      .insert(accountAdmins)
      .values({
        accountId: account.id,
        userId: input.to.userId,
        addedBy: actorId,
        trainingConfirmedAt: new Date(),
      })
      .onConflictDoNothing()
      .returning();
    if (!added) throw conflict('The person taking over is already an admin of this account');
    const subject = { type: 'account', id: account.id, label };
    const handOver = { from: input.fromUserId, to: input.to.userId };
    await emitAudit(tx, ctx, [
      {
        action: 'account.admin_added',
        schoolId: account.schoolId,
        subject,
        details: {
          userId: input.to.userId,
          trainingConfirmed: true,
          acceptableUseSigned: true,
          handOver,
          note: input.note ?? null,
        },
      },
      {
        action: 'account.admin_removed',
        schoolId: account.schoolId,
        subject,
        details: { userId: input.fromUserId, handOver, note: input.note ?? null },
      },
    ]);
    await notifyUsers(tx, {
      schoolId: account.schoolId,
      userIds: [input.to.userId],
      event: 'account.admin_added',
      urgency: 'normal',
      title: `You are now an admin of ${label}`,
      body: `${ctx.actor.label} handed you the admin role for ${label}. Please read and acknowledge the school's social media policy.`,
      link: `/accounts/${account.id}`,
      subject: { type: 'account', id: account.id },
    });
    await watch.settle(ctx, `Handing over an admin of ${label}`);
    return describeAccount(tx, account);
  });
}
