import { createCheckpoint } from '../../services/audit/create-checkpoint.js';
import { systemContext } from '../../services/core/service-context.js';
import { handle } from '../job-registry.js';
import type { WorkerDeps } from '../worker-deps.js';

/** Every day at 00:05 (London): the audit chain head is signed with AUDIT_SIGNING_KEY and stored. */
export const AUDIT_CHECKPOINT_PATTERN = '5 0 * * *';

export const auditCheckpointProcessor = (deps: WorkerDeps) =>
  handle('audit-checkpoint', async (_data, job) => {
    const outcome = await createCheckpoint(
      systemContext(deps.db, 'daily audit checkpoint', job.jobId),
      deps.config.auditSigningKey,
    );
    if (outcome.status === 'skipped') {
      deps.logger.warn({ reason: outcome.reason }, 'audit checkpoint skipped');
      return outcome;
    }
    deps.logger.info({ seq: outcome.checkpoint.seq }, 'audit checkpoint signed');
    return { status: outcome.status, seq: outcome.checkpoint.seq };
  });
