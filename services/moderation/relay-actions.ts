import { and, asc, eq, inArray, lt } from 'drizzle-orm';
import { moderationActions } from '../../db/schema/index.js';
import type { ServiceContext } from '../core/service-context.js';

/**
 * Platform actions left queued or executing for longer than `olderThanMs`: their execute job may
 * have been lost with Redis, so they are handed back for `ensureQueued`. The job is idempotent.
 */
export async function findStaleActions(
  ctx: ServiceContext,
  { olderThanMs, limit }: { olderThanMs: number; limit: number },
): Promise<string[]> {
  const rows = await ctx.db
    .select({ id: moderationActions.id })
    .from(moderationActions)
    .where(
      and(
        eq(moderationActions.mode, 'platform'),
        inArray(moderationActions.status, ['approved', 'queued', 'executing']),
        lt(moderationActions.updatedAt, new Date(Date.now() - olderThanMs)),
      ),
    )
    .orderBy(asc(moderationActions.updatedAt))
    .limit(limit);
  return rows.map((r) => r.id);
}
