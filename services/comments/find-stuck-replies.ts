import { and, asc, eq, lt } from 'drizzle-orm';
import { responses } from '../../db/schema/index.js';
import type { ServiceContext } from '../core/service-context.js';

/**
 * Public replies still `sending` after `olderThanMs`: their send-reply job may have been lost with
 * Redis (or never added, if Redis was down when the reply was queued), so they are handed back for
 * `ensureQueued` under the same job id. The age is counted from when the reply was written; a reply
 * approved later is queued by its approval, and a relay that gets there first is the same one job.
 */
export async function findStuckReplies(
  ctx: ServiceContext,
  { olderThanMs, limit }: { olderThanMs: number; limit: number },
): Promise<string[]> {
  const rows = await ctx.db
    .select({ id: responses.id })
    .from(responses)
    .where(
      and(
        eq(responses.kind, 'public_reply'),
        eq(responses.status, 'sending'),
        lt(responses.createdAt, new Date(Date.now() - olderThanMs)),
      ),
    )
    .orderBy(asc(responses.createdAt))
    .limit(limit);
  return rows.map((r) => r.id);
}
