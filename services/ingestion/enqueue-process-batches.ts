import type { Queues } from '../../workers/queues.js';
import { MAX_PROCESS_BATCH } from './process-comment.js';

/**
 * One process job per batch of newly stored comments (a poll page, a webhook delivery): each batch
 * is processed in one transaction. Called after the rows commit; a lost enqueue is found by the relay.
 */
export async function enqueueProcessBatches(
  deps: { queues: Pick<Queues, 'addBulk'> },
  ids: readonly string[],
) {
  const batches: { commentIds: string[] }[] = [];
  for (let i = 0; i < ids.length; i += MAX_PROCESS_BATCH)
    batches.push({ commentIds: ids.slice(i, i + MAX_PROCESS_BATCH) });
  await deps.queues.addBulk('process-comments', batches);
}
