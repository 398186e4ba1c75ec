import { and, asc, isNull, lt } from 'drizzle-orm';
import { comments } from '../../db/schema/index.js';
import type { ServiceContext } from '../core/service-context.js';

export interface RelayOptions {
  /** Only rows older than this are relayed, so a job still on its way is not doubled. */
  olderThanMs: number;
  limit: number;
}

/**
 * Finds comments the process job has not finished and hands their ids back for re-enqueueing.
 * Postgres is the source of truth: if Redis lost the job, this is how the comment gets processed.
 */
export async function findUnprocessedComments(
  ctx: ServiceContext,
  { olderThanMs, limit }: RelayOptions,
): Promise<string[]> {
  const rows = await ctx.db
    .select({ id: comments.id })
    .from(comments)
    .where(and(isNull(comments.processedAt), lt(comments.ingestedAt, new Date(Date.now() - olderThanMs))))
    .orderBy(asc(comments.ingestedAt))
    .limit(limit);
  return rows.map((r) => r.id);
}
