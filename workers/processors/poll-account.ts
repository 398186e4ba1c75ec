import { systemContext } from '../../services/core/service-context.js';
import { pollAccount } from '../../services/ingestion/poll-account.js';
import type { AdapterFactory } from '../../services/platforms/adapter-factory.js';
import { handle } from '../job-registry.js';
import type { WorkerDeps } from '../worker-deps.js';

export const pollAccountProcessor = (deps: WorkerDeps, adapterFor: AdapterFactory) =>
  handle('poll-account', async (data, job) => {
    const result = await pollAccount(systemContext(deps.db, 'poller', job.jobId), data, {
      encryptionKey: deps.config.encryptionKey,
      adapterFor,
      onInserted: (ids) =>
        deps.queues.addBulk(
          'process-comment',
          ids.map((commentId) => ({ commentId })),
        ),
    });
    if (result.status === 'failed' && result.kind === 'auth') {
      // Polling stops until an admin reconnects the account.
      await deps.pollScheduler.stopPolling(data.accountId);
    }
    return result;
  });
