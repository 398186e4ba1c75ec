import { systemContext } from '../../services/core/service-context.js';
import { breachDeadline } from '../../services/deadlines/breach-deadline.js';
import { handle } from '../job-registry.js';
import type { WorkerDeps } from '../worker-deps.js';

export const deadlineBreachProcessor = (deps: WorkerDeps) =>
  handle('deadline-breach', async (data, job) =>
    breachDeadline(systemContext(deps.db, 'deadline timer', job.jobId), data),
  );
