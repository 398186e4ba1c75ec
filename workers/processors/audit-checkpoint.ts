import { createCheckpoint } from '../../services/audit/create-checkpoint.js';
import {
  mailCheckpoint,
  queueCheckpointMail,
  unmailedCheckpoints,
} from '../../services/audit/mail-checkpoint.js';
import { systemContext } from '../../services/core/service-context.js';
import { createMailer } from '../../services/notifications/mailer.js';
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
    await queueCheckpointMail(deps.queues, deps.config.auditWitnessEmails, outcome);
    if (deps.config.auditWitnessEmails?.length) {
      // Earlier checkpoints whose mail never went: queued again (a failed job is retried).
      for (const checkpointId of await unmailedCheckpoints(deps.db)) {
        if (checkpointId !== outcome.id) await deps.queues.ensureQueued('audit-witness', { checkpointId });
      }
    }
    deps.logger.info({ seq: outcome.checkpoint.seq }, 'audit checkpoint signed');
    return { status: outcome.status, seq: outcome.checkpoint.seq };
  });

/** A signed checkpoint to the outside witnesses; a refused send is retried with backoff. */
export const auditWitnessProcessor = (deps: WorkerDeps) => {
  const mailer = createMailer(deps.config.notifications);
  return handle('audit-witness', async (data, job) => {
    const witnesses = deps.config.auditWitnessEmails;
    // Config refuses witnesses without SMTP_URL; a job left from an earlier configuration has no one to go to.
    if (!mailer || !witnesses?.length) return { status: 'no_witnesses' as const };
    return mailCheckpoint(systemContext(deps.db, 'audit witness mail', job.jobId), data, {
      mailer,
      witnesses,
      publicUrl: deps.config.publicUrl,
    });
  });
};
