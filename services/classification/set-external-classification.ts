import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { type TrustExternalClassification, trusts } from '../../db/schema/index.js';
import { emitAudit } from '../audit/emit-audit.js';
import type { ServiceContext } from '../core/service-context.js';
import { invalidInputFrom, preconditionFailed } from '../core/service-error.js';
import { withTransaction } from '../core/with-transaction.js';
import { trustOfTrustAdmin } from '../trust-domains/claimed-domain.js';
import { describeTiers, type ExternalTierView } from './describe-external-tiers.js';
import type { ExternalTiers } from './external-tiers.js';

export const setExternalClassificationInput = z.object({
  tier: z.enum(['moderation', 'guard'], { message: 'moderation or guard' }),
  on: z.boolean(),
});

/**
 * A trust admin turns an outside classification tier on or off for the whole trust. On records
 * the endpoint's host: comment text goes there, and only there (if the installation later points
 * the tier elsewhere, it is off again until someone turns it on for the new host).
 */
export async function setExternalClassification(
  ctx: ServiceContext,
  rawInput: unknown,
  available: ExternalTiers,
): Promise<ExternalTierView[]> {
  const parsed = setExternalClassificationInput.safeParse(rawInput);
  if (!parsed.success) throw invalidInputFrom(parsed.error);
  const { tier: name, on } = parsed.data;
  return withTransaction(ctx, async (tx) => {
    const { trustId, subject, auditSchoolId } = await trustOfTrustAdmin(
      tx,
      ctx,
      'decide where comment text may be sent for classification',
    );
    const tier = available[name];
    if (on && !tier)
      throw preconditionFailed(
        name === 'guard'
          ? 'No guard model is configured on this installation (GUARD_MODEL_URL)'
          : 'No moderation endpoint is configured on this installation (MODERATION_URL)',
      );
    const [trust] = await tx
      .select({ settings: trusts.externalClassification })
      .from(trusts)
      .where(eq(trusts.id, trustId))
      .for('update');
    const before = trust?.settings ?? {};
    const after: TrustExternalClassification = { ...before };
    if (on && tier) after[name] = { host: tier.host, changedAt: new Date().toISOString() };
    else delete after[name];
    await tx.update(trusts).set({ externalClassification: after }).where(eq(trusts.id, trustId));
    await emitAudit(tx, ctx, {
      action: 'trust.external_classification_changed',
      schoolId: auditSchoolId,
      subject,
      details: {
        tier: name,
        on,
        ...(tier ? { host: tier.host, model: tier.model } : {}),
        before: before[name]?.host ?? null,
      },
    });
    return describeTiers(after, available);
  });
}
