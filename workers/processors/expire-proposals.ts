import { systemContext } from '../../services/core/service-context.js';
import { expireProposals } from '../../services/moderation/expire-proposals.js';
import { findStaleActions } from '../../services/moderation/relay-actions.js';
import { handle } from '../job-registry.js';
import type { WorkerDeps } from '../worker-deps.js';

/** Every minute: expire unconfirmed proposals, and re-enqueue actions whose job was lost. */
export const EXPIRE_PROPOSALS_EVERY_MS = 60_000;
export const ACTION_RELAY_AFTER_MS = 2 * 60_000;

export const expireProposalsProcessor = (deps: WorkerDeps, relayAfterMs = ACTION_RELAY_AFTER_MS) =>
  handle('expire-proposals', async () => {
    const ctx = systemContext(deps.db, 'proposal expiry');
    const { expired } = await expireProposals(ctx);
    const stale = await findStaleActions(ctx, { olderThanMs: relayAfterMs, limit: 1_000 });
    let requeued = 0;
    for (const actionId of stale) {
      if ((await deps.queues.ensureQueued('execute-action', { actionId })) !== 'pending') requeued += 1;
    }
    if (requeued) deps.logger.warn({ requeued }, 'relay re-enqueued moderation actions');
    return { expired, stale: stale.length, requeued };
  });
