import { systemContext } from '../../services/core/service-context.js';
import { notifyUntriagedDays } from '../../services/deadlines/notify-untriaged-days.js';
import { handle } from '../job-registry.js';
import type { WorkerDeps } from '../worker-deps.js';

/** Every morning at 07:30 (London): the previous working day's untriaged accounts go to senior leaders (P1). */
export const MONITORING_CHECK_PATTERN = '30 7 * * *';

export const monitoringCheckProcessor = (deps: WorkerDeps) =>
  handle('monitoring-check', async (_data, job) => {
    const outcomes = await notifyUntriagedDays(systemContext(deps.db, 'monitoring check', job.jobId));
    const accounts = outcomes.reduce((n, o) => n + o.accounts, 0);
    if (accounts) deps.logger.info({ accounts }, 'untriaged accounts told to senior leaders');
    return { accounts, schools: outcomes.length };
  });
