import { systemContext } from '../../services/core/service-context.js';
import { findUnprocessedComments } from '../../services/ingestion/relay-unprocessed.js';
import { handle } from '../job-registry.js';
import type { WorkerDeps } from '../worker-deps.js';

/** Every 30 s: comments still unprocessed after 60 s get their process job again. */
export const RELAY_EVERY_MS = 30_000;
export const RELAY_AFTER_MS = 60_000;

export const relayUnprocessedProcessor = (deps: WorkerDeps, afterMs = RELAY_AFTER_MS) =>
  handle('relay-unprocessed', async () => {
    const ids = await findUnprocessedComments(systemContext(deps.db, 'relay'), {
      olderThanMs: afterMs,
      limit: 5_000,
    });
    let requeued = 0;
    for (const commentId of ids) {
      if ((await deps.queues.ensureQueued('process-comment', { commentId })) !== 'pending') requeued += 1;
    }
    if (requeued) deps.logger.warn({ requeued }, 'relay re-enqueued unprocessed comments');
    return { found: ids.length, requeued };
  });
