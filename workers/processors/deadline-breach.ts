import { systemContext } from '../../services/core/service-context.js';
import { breachDeadline } from '../../services/deadlines/breach-deadline.js';
import { handle } from '../job-registry.js';
import type { WorkerDeps } from '../worker-deps.js';

/**
 * The breach timer. One that fires before the comment's deadline (a calendar change moved it
 * while this job was running or being placed) waits for the new deadline itself.
 */
export const deadlineBreachProcessor = (deps: WorkerDeps) =>
  handle('deadline-breach', async (data, job) => {
    const result = await breachDeadline(systemContext(deps.db, 'deadline timer', job.jobId), data);
    if (result.status === 'not_due' && result.dueAt && job.delayUntil) return job.delayUntil(result.dueAt);
    return result;
  });
