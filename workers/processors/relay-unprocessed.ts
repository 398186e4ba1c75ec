import { systemContext } from '../../services/core/service-context.js';
import { findUnprocessedComments } from '../../services/ingestion/relay-unprocessed.js';
import { handle } from '../job-registry.js';
import type { Queues } from '../queues.js';
import type { WorkerDeps } from '../worker-deps.js';

/** Every 30 s: comments still unprocessed after 60 s get a process job again. */
export const RELAY_EVERY_MS = 30_000;
export const RELAY_AFTER_MS = 60_000;
/** Comments per relayed process job (a poll page is at most 100). */
export const RELAY_BATCH = 100;

/**
 * Relays in batches. A comment still waiting in a pending process job (a backlog, not a loss) is
 * left to that job, so a long queue is not doubled every 30 s; the rest are re-enqueued in chunks.
 * A duplicate would be harmless anyway: processing takes only unprocessed rows, under a row lock.
 */
export const relayUnprocessedProcessor = (deps: WorkerDeps, afterMs = RELAY_AFTER_MS) =>
  handle('relay-unprocessed', async () => {
    const ids = await findUnprocessedComments(systemContext(deps.db, 'relay'), {
      olderThanMs: afterMs,
      limit: 5_000,
    });
    if (ids.length === 0) return { found: 0, requeued: 0 };
    const pending = await pendingCommentIds(deps.queues);
    const lost = ids.filter((id) => !pending.has(id));
    let requeued = 0;
    for (let i = 0; i < lost.length; i += RELAY_BATCH) {
      const commentIds = lost.slice(i, i + RELAY_BATCH);
      if ((await deps.queues.ensureQueued('process-comments', { commentIds })) !== 'pending')
        requeued += commentIds.length;
    }
    if (requeued) deps.logger.warn({ requeued }, 'relay re-enqueued unprocessed comments');
    return { found: ids.length, requeued };
  });

/** Comment ids in process jobs that will still run (waiting, delayed, active). */
async function pendingCommentIds(queues: Queues): Promise<Set<string>> {
  const pending = new Set<string>();
  const jobs = await queues.process.getJobs([
    'active',
    'waiting',
    'delayed',
    'prioritized',
    'waiting-children',
  ]);
  for (const job of jobs) {
    const ids = (job?.data as { commentIds?: unknown } | undefined)?.commentIds;
    if (Array.isArray(ids)) for (const id of ids) if (typeof id === 'string') pending.add(id);
  }
  return pending;
}
