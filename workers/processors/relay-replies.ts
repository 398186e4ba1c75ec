import { findStuckReplies } from '../../services/comments/find-stuck-replies.js';
import { systemContext } from '../../services/core/service-context.js';
import { handle } from '../job-registry.js';
import type { WorkerDeps } from '../worker-deps.js';

/** Every minute: public replies still `sending` after two minutes get their send-reply job again. */
export const REPLY_RELAY_EVERY_MS = 60_000;
export const REPLY_RELAY_AFTER_MS = 2 * 60_000;

/**
 * The same deterministic job id (`send-reply-<response id>`): a job still waiting, delayed or
 * running is left alone, a failed one is retried, a lost one is added. The send itself re-reads
 * the row and posts only while it is `sending`, and records the platform's id only over `sending`.
 */
export const relayRepliesProcessor = (deps: WorkerDeps, afterMs = REPLY_RELAY_AFTER_MS) =>
  handle('relay-replies', async () => {
    const stuck = await findStuckReplies(systemContext(deps.db, 'reply relay'), {
      olderThanMs: afterMs,
      limit: 1_000,
    });
    let requeued = 0;
    for (const responseId of stuck) {
      if ((await deps.queues.ensureQueued('send-reply', { responseId })) !== 'pending') requeued += 1;
    }
    if (requeued) deps.logger.warn({ requeued }, 'relay re-enqueued public replies');
    return { stuck: stuck.length, requeued };
  });
