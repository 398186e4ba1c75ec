import { and, eq, isNull } from 'drizzle-orm';
import { comments } from '../../db/schema/index.js';
import { metrics } from '../core/metrics.js';
import type { ServiceContext } from '../core/service-context.js';
import { withTransaction } from '../core/with-transaction.js';
import type { ProcessingState, ProcessingStep } from './processing-pipeline.js';

export type ProcessCommentResult =
  | { status: 'processed'; steps: string[] }
  | { status: 'already_processed' | 'not_found' };

/**
 * Runs the processing steps for one comment exactly once: the row is locked and only an
 * unprocessed row is taken, so a duplicated or re-delivered job finds nothing to do. Effects that
 * leave the database (timers, notifications) run after commit.
 */
export async function processComment(
  ctx: ServiceContext,
  input: { commentId: string },
  steps: readonly ProcessingStep[],
): Promise<ProcessCommentResult> {
  const outcome = await withTransaction(ctx, async (tx, txCtx) => {
    const [comment] = await tx
      .select()
      .from(comments)
      .where(and(eq(comments.id, input.commentId), isNull(comments.processedAt)))
      .for('update', { skipLocked: true });
    if (!comment) return null;
    const state: ProcessingState = { comment, updates: {}, afterCommit: [] };
    for (const step of steps) {
      await step.run(tx, txCtx, state);
      state.comment = { ...state.comment, ...state.updates };
    }
    await tx
      .update(comments)
      .set({ ...state.updates, processedAt: new Date() })
      .where(eq(comments.id, comment.id));
    return state;
  });
  if (!outcome) {
    const [row] = await ctx.db
      .select({ id: comments.id })
      .from(comments)
      .where(eq(comments.id, input.commentId));
    return { status: row ? 'already_processed' : 'not_found' };
  }
  metrics.processingLag.observe((Date.now() - outcome.comment.ingestedAt.getTime()) / 1_000);
  for (const effect of outcome.afterCommit) await effect();
  return { status: 'processed', steps: steps.map((s) => s.name) };
}
