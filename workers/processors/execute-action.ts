import { systemContext } from '../../services/core/service-context.js';
import { executeAction } from '../../services/moderation/execute-action.js';
import type { AdapterFactory } from '../../services/platforms/adapter-factory.js';
import { handle } from '../job-registry.js';
import type { Queues } from '../queues.js';
import type { WorkerDeps } from '../worker-deps.js';

/** How verbs hand approved actions to this job after commit. */
export const queueActionDispatch = (queues: Pick<Queues, 'add'>) => ({
  enqueue: (actionId: string) => queues.add('execute-action', { actionId }),
});

/**
 * Carries out one approved action on the platform. Transient failures throw (BullMQ retries with
 * backoff); a 429 moves the job to delayed until the reset without spending an attempt.
 */
export const executeActionProcessor = (deps: WorkerDeps, adapterFor: AdapterFactory) =>
  handle('execute-action', async (data, job) => {
    const result = await executeAction(systemContext(deps.db, 'action executor', job.jobId), data, {
      encryptionKey: deps.config.encryptionKey,
      adapterFor,
      dispatch: queueActionDispatch(deps.queues),
    });
    if (result.status === 'wait') {
      if (job.delayUntil) return job.delayUntil(result.until);
      // Without a job to delay (a direct call), retrying later is the caller's business.
    }
    return result;
  });
