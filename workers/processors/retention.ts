import { applyRetention } from '../../services/audit/apply-retention.js';
import { systemContext } from '../../services/core/service-context.js';
import { handle } from '../job-registry.js';
import type { WorkerDeps } from '../worker-deps.js';

/** Every night at 02:30 (London): comment text and author identities past each school's retention period are redacted (P12). */
export const RETENTION_PATTERN = '30 2 * * *';

export const retentionProcessor = (deps: WorkerDeps) =>
  handle('retention', async (_data, job) => {
    const outcomes = await applyRetention(systemContext(deps.db, 'retention policy', job.jobId));
    const redacted = outcomes.reduce((n, o) => n + o.comments, 0);
    if (redacted) deps.logger.info({ redacted, schools: outcomes.length }, 'retention redacted comments');
    return { redacted, schools: outcomes.length };
  });
