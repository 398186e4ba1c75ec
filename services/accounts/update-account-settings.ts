import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { socialAccounts } from '../../db/schema/index.js';
import { emitAudit } from '../audit/emit-audit.js';
import type { ServiceContext } from '../core/service-context.js';
import { conflict, invalidInput } from '../core/service-error.js';
import { withTransaction } from '../core/with-transaction.js';
import { assertAdminOrRole, loadAccount } from './account-access.js';
import { accountLabel } from './account-label.js';
import { type AccountPolling, type PollingOutcome, startAccountPolling } from './account-polling.js';
import { type AccountView, describeAccount } from './account-view.js';
import { moderationSettingsSchema } from './propose-account.js';

export const updateAccountSettingsInput = z.object({
  accountId: z.uuid(),
  settings: moderationSettingsSchema,
  purpose: z.string().trim().min(1).max(2_000).optional(),
  audience: z.string().trim().min(1).max(2_000).optional(),
});
export type UpdateAccountSettingsInput = z.input<typeof updateAccountSettingsInput>;

/** Moderation thresholds, auto-hide, the two-admin hide and the poll interval, by an admin or a senior leader. */
export async function updateAccountSettings(
  ctx: ServiceContext,
  raw: UpdateAccountSettingsInput,
  polling: AccountPolling,
): Promise<{ account: AccountView; polling: PollingOutcome | null }> {
  const input = updateAccountSettingsInput.parse(raw);
  if (Object.keys(input.settings).length === 0 && !input.purpose && !input.audience) {
    throw invalidInput('Nothing to change');
  }
  const { before, updated } = await withTransaction(ctx, async (tx) => {
    const current = await loadAccount(ctx, tx, input.accountId, { forUpdate: true });
    assertAdminOrRole(ctx, current, ['senior_leader'], "change the account's settings");
    if (current.status === 'retired' || current.status === 'rejected') {
      throw conflict(`${accountLabel(current)} is ${current.status}; its settings cannot change`);
    }
    const settings = { ...current.settings, ...input.settings };
    const [row] = await tx
      .update(socialAccounts)
      .set({
        settings,
        ...(input.purpose ? { purpose: input.purpose } : {}),
        ...(input.audience ? { audience: input.audience } : {}),
        updatedAt: new Date(),
      })
      .where(eq(socialAccounts.id, current.id))
      .returning();
    await emitAudit(tx, ctx, {
      action: 'account.settings_changed',
      schoolId: current.schoolId,
      subject: { type: 'account', id: current.id, label: accountLabel(current) },
      details: {
        before: { settings: current.settings, purpose: current.purpose, audience: current.audience },
        after: { settings, purpose: row!.purpose, audience: row!.audience },
      },
    });
    return { before: current, updated: row! };
  });
  const intervalChanged = before.settings.pollIntervalSeconds !== updated.settings.pollIntervalSeconds;
  const outcome =
    updated.status === 'active' && intervalChanged ? await startAccountPolling(polling, updated) : null;
  return { account: await describeAccount(ctx.db, updated), polling: outcome };
}
