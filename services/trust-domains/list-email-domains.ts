import { asc, eq } from 'drizzle-orm';
import { trustDomains } from '../../db/schema/index.js';
import type { ServiceContext } from '../core/service-context.js';
import { type ClaimedDomain, describeClaim, trustOfTrustAdmin } from './claimed-domain.js';

/** The email domains the caller's trust has claimed, verified or not. */
export async function listEmailDomains(ctx: ServiceContext): Promise<ClaimedDomain[]> {
  const { trustId } = await trustOfTrustAdmin(ctx.db, ctx, 'see email domains');
  const rows = await ctx.db
    .select()
    .from(trustDomains)
    .where(eq(trustDomains.trustId, trustId))
    .orderBy(asc(trustDomains.domain));
  return rows.map(describeClaim);
}
