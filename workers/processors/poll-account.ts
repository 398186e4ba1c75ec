import { systemContext } from '../../services/core/service-context.js';
import { enqueueProcessBatches } from '../../services/ingestion/enqueue-process-batches.js';
import { pollAccount } from '../../services/ingestion/poll-account.js';
import type { AdapterFactory } from '../../services/platforms/adapter-factory.js';
import { handle } from '../job-registry.js';
import type { WorkerDeps } from '../worker-deps.js';

export const pollAccountProcessor = (deps: WorkerDeps, adapterFor: AdapterFactory) =>
  handle('poll-account', async (data, job) => {
    const backstop =
      deps.webhookHealth && deps.config.meta
        ? {
            health: deps.webhookHealth,
            settings: {
              defaultIntervalSeconds: deps.config.pollIntervalSeconds,
              withWebhooksSeconds: deps.config.meta.pollIntervalSecondsWithWebhooks,
            },
          }
        : undefined;
    const poll = (first: boolean) =>
      pollAccount(systemContext(deps.db, 'poller', job.jobId), data, {
        encryptionKey: deps.config.encryptionKey,
        adapterFor,
        failureAlertAfter: deps.config.pollFailureAlertAfter,
        // One process job per committed page: the page's comments are processed as one batch.
        onInserted: (ids) => enqueueProcessBatches(deps, ids),
        // Only the scheduled tick waits for the backstop interval; a backlog once started drains.
        ...(first && backstop ? { backstop } : {}),
      });
    // A backlog (first connection, after an outage) is drained now rather than a page cap per
    // interval; each round re-checks the account, its lease and its rate limit.
    const until = Date.now() + BACKLOG_BUDGET_MS;
    let result = await poll(true);
    while (result.status === 'polled' && result.more && Date.now() < until) result = await poll(false);
    if (result.status === 'failed' && result.kind === 'auth') {
      // Polling stops until an admin reconnects the account.
      await deps.pollScheduler.stopPolling(data.accountId);
    }
    return result;
  });

/** How long one poll job keeps following a backlog before leaving the rest to the next poll. */
export const BACKLOG_BUDGET_MS = 60_000;
