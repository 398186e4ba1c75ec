import { systemContext } from '../../services/core/service-context.js';
import { warnDeadline } from '../../services/deadlines/warn-deadline.js';
import { handle } from '../job-registry.js';
import type { WorkerDeps } from '../worker-deps.js';

export const deadlineWarningProcessor = (deps: WorkerDeps) =>
  handle('deadline-warning', async (data, job) =>
    warnDeadline(systemContext(deps.db, 'deadline timer', job.jobId), data),
  );
