import { eq } from 'drizzle-orm';
import { type TrustExternalClassification, trusts } from '../../db/schema/index.js';
import { queryable, type ServiceContext } from '../core/service-context.js';
import { trustOfTrustAdmin } from '../trust-domains/claimed-domain.js';
import type { ExternalTierName } from './external-moderation.js';
import { type ExternalTiers, TIER_TITLES, tierIsOn } from './external-tiers.js';

export interface ExternalTierView {
  tier: ExternalTierName;
  title: string;
  /** Whether this installation has the tier configured at all. */
  configured: boolean;
  /** Where comment text goes when on: the endpoint's host. */
  host: string | null;
  model: string | null;
  on: boolean;
  /** On for a host the installation no longer uses: nothing is sent until turned on again. */
  onForOtherHost: string | null;
  changedAt: string | null;
}

export function describeTiers(
  stored: TrustExternalClassification,
  available: ExternalTiers,
): ExternalTierView[] {
  return (['moderation', 'guard'] as const).map((name) => {
    const tier = available[name];
    const consent = stored[name];
    const on = tierIsOn(stored, tier);
    return {
      tier: name,
      title: TIER_TITLES[name],
      configured: tier !== undefined,
      host: tier?.host ?? null,
      model: tier?.model ?? null,
      on,
      onForOtherHost: consent && !on ? consent.host : null,
      changedAt: consent?.changedAt ?? null,
    };
  });
}

/** The trust's outside classification tiers, as a trust admin decides them. */
export async function getExternalClassification(
  ctx: ServiceContext,
  available: ExternalTiers,
): Promise<ExternalTierView[]> {
  const db = queryable(ctx);
  const { trustId } = await trustOfTrustAdmin(
    db,
    ctx,
    'see where comment text may be sent for classification',
  );
  const [trust] = await db
    .select({ settings: trusts.externalClassification })
    .from(trusts)
    .where(eq(trusts.id, trustId));
  return describeTiers(trust?.settings ?? {}, available);
}
