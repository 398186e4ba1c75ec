import { systemContext } from '../../services/core/service-context.js';
import { sweepDeadlines } from '../../services/deadlines/sweep-deadlines.js';
import { handle } from '../job-registry.js';
import type { WorkerDeps } from '../worker-deps.js';

export { SWEEP_EVERY_MS } from '../../services/deadlines/sweep-deadlines.js';

/** Every minute: warns and breaches whatever the delayed timers missed (a flushed Redis). */
export const deadlineSweepProcessor = (deps: WorkerDeps) =>
  handle('deadline-sweep', async (_data, job) => {
    const result = await sweepDeadlines(systemContext(deps.db, 'deadline sweep', job.jobId));
    if (result.breached || result.warned) deps.logger.info(result, 'deadline sweep acted');
    return result;
  });
