import { eq } from 'drizzle-orm';
import type { Config } from '../../config/load-config.js';
import type { Queryable } from '../../db/client.js';
import { schools, type TrustExternalClassification, trusts } from '../../db/schema/index.js';
import { type OutboundPolicy, outboundPolicy, resolveOutbound } from '../core/outbound-address.js';
import { createExternalModeration, type ExternalTier, type ExternalTierName } from './external-moderation.js';
import { createGuardModel } from './guard-model.js';

/** The outside tiers this installation offers (configured; each still off until a trust admin turns it on). */
export type ExternalTiers = Partial<Record<ExternalTierName, ExternalTier>>;

export const TIER_TITLES: Readonly<Record<ExternalTierName, string>> = {
  moderation: 'Moderation endpoint',
  guard: 'Self-hosted guard model',
};

export function buildExternalTiers(config: Config['externalClassification']): ExternalTiers {
  const tiers: ExternalTiers = {};
  if (config.moderation) {
    const m = config.moderation;
    tiers.moderation = createExternalModeration({
      url: m.url,
      apiKey: m.apiKey ?? '',
      model: m.model,
      timeoutMs: m.timeoutMs,
    });
  }
  if (config.guard) {
    const g = config.guard;
    tiers.guard = createGuardModel({
      url: g.url,
      model: g.model,
      timeoutMs: g.timeoutMs,
      ...(g.apiKey ? { apiKey: g.apiKey } : {}),
    });
  }
  return tiers;
}

/**
 * At start-up: each configured endpoint's host name resolves, and to an address the URL checks
 * allow (a public one, or with GUARD_MODEL_ALLOW_PRIVATE_NETWORK this machine or its network;
 * never a cloud metadata address). Throws naming the variable.
 */
export async function checkExternalTierAddresses(
  config: Config['externalClassification'],
  resolve?: OutboundPolicy['resolve'],
): Promise<void> {
  const check = async (variable: string, raw: string, allowPrivate: boolean) => {
    const url = new URL(raw);
    const result = await resolveOutbound(url, outboundPolicy([], resolve));
    if (result.ok) return;
    if (result.notFound)
      throw new Error(`Invalid configuration: ${variable}: ${url.hostname} does not resolve`);
    if (allowPrivate && result.reason !== 'a cloud metadata address') return;
    throw new Error(`Invalid configuration: ${variable} must be a public address, not ${result.reason}`);
  };
  if (config.moderation) await check('MODERATION_URL', config.moderation.url, false);
  if (config.guard) await check('GUARD_MODEL_URL', config.guard.url, config.guard.allowPrivateNetwork);
}

/** A tier is on for a trust only for the host it was turned on for. */
export function tierIsOn(
  stored: TrustExternalClassification | null | undefined,
  tier: ExternalTier | undefined,
): boolean {
  if (!tier) return false;
  const consent = stored?.[tier.tier];
  return consent !== undefined && consent.host === tier.host;
}

/** The tiers the school's trust has turned on (for this installation's configured hosts). */
export async function tiersOnForSchool(
  db: Queryable,
  schoolId: string,
  available: ExternalTiers,
): Promise<ExternalTier[]> {
  if (!available.moderation && !available.guard) return [];
  const [row] = await db
    .select({ settings: trusts.externalClassification })
    .from(schools)
    .innerJoin(trusts, eq(trusts.id, schools.trustId))
    .where(eq(schools.id, schoolId));
  return [available.moderation, available.guard].filter(
    (tier): tier is ExternalTier => tier !== undefined && tierIsOn(row?.settings, tier),
  );
}
