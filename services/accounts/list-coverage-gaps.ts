import { and, desc, eq, inArray } from 'drizzle-orm';
import { coverageGaps, socialAccounts } from '../../db/schema/index.js';
import { queryable, type ServiceContext } from '../core/service-context.js';

export interface CoverageGapItem {
  id: string;
  accountId: string;
  note: string;
  createdAt: Date;
}

/**
 * Mentions a poll could not reach (X serves only the most recent ones), newest first, for the
 * caller's schools' accounts; `accountId` narrows to one account.
 */
export async function listCoverageGaps(
  ctx: ServiceContext,
  input: { accountId?: string; limit?: number } = {},
): Promise<CoverageGapItem[]> {
  if (ctx.schoolIds !== null && ctx.schoolIds.length === 0) return [];
  return queryable(ctx)
    .select({
      id: coverageGaps.id,
      accountId: coverageGaps.accountId,
      note: coverageGaps.note,
      createdAt: coverageGaps.createdAt,
    })
    .from(coverageGaps)
    .innerJoin(socialAccounts, eq(socialAccounts.id, coverageGaps.accountId))
    .where(
      and(
        input.accountId ? eq(coverageGaps.accountId, input.accountId) : undefined,
        ctx.schoolIds ? inArray(socialAccounts.schoolId, [...ctx.schoolIds]) : undefined,
      ),
    )
    .orderBy(desc(coverageGaps.createdAt))
    .limit(input.limit ?? 500);
}
