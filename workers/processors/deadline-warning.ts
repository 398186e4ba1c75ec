import { systemContext } from '../../services/core/service-context.js';
import { queueDeadlineTimers } from '../../services/deadlines/deadline-timers.js';
import { warnDeadline } from '../../services/deadlines/warn-deadline.js';
import { handle } from '../job-registry.js';
import type { WorkerDeps } from '../worker-deps.js';

/**
 * The warning timer. A comment has one timer at a time: this one, once the warning is done, places
 * the breach timer (a comment answered before its warning never needs one). If placing it fails
 * the job is retried; the warning itself is not repeated.
 */
export const deadlineWarningProcessor = (deps: WorkerDeps) => {
  const timers = queueDeadlineTimers(deps.queues);
  return handle('deadline-warning', async (data, job) => {
    const result = await warnDeadline(systemContext(deps.db, 'deadline timer', job.jobId), data);
    // Fired before the comment's warning: a calendar change moved it while this job was running
    // (and so could not be replaced). It waits for the new time itself.
    if (result.status === 'not_due' && result.dueAt && job.delayUntil) return job.delayUntil(result.dueAt);
    if (result.breachAt)
      await timers.schedule([{ commentId: data.commentId, warnAt: null, deadlineAt: result.breachAt }]);
    return result;
  });
};
