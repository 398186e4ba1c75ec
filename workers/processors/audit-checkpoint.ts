import { createCheckpoint, NO_SIGNING_KEY } from '../../services/audit/create-checkpoint.js';
import {
  mailCheckpoint,
  queueCheckpointMail,
  unmailedCheckpoints,
} from '../../services/audit/mail-checkpoint.js';
import { systemContext } from '../../services/core/service-context.js';
import { createMailer } from '../../services/notifications/mailer.js';
import { handle } from '../job-registry.js';
import type { WorkerDeps } from '../worker-deps.js';

/** Every day at 00:05 (London): the checkpoint mailed to the outside witnesses. */
export const AUDIT_CHECKPOINT_PATTERN = '5 0 * * *';

/**
 * Signs the audit chain head and stores the checkpoint. 'interval' (every AUDIT_CHECKPOINT_MINUTES)
 * keeps the unwitnessed tail short and is skipped when nothing new was logged; 'daily' always
 * signs and mails its checkpoint to the witnesses, one mail a day, and queues again any daily or
 * on-demand checkpoint of the week whose mail never went.
 */
export const auditCheckpointProcessor = (deps: WorkerDeps) =>
  handle('audit-checkpoint', async (data, job) => {
    const daily = data.kind !== 'interval';
    const outcome = await createCheckpoint(
      systemContext(deps.db, daily ? 'daily audit checkpoint' : 'audit checkpoint', job.jobId),
      deps.config.auditSigningKey,
      { forWitnesses: daily, onlyIfNew: !daily },
    );
    if (outcome.status === 'skipped') {
      if (outcome.reason === NO_SIGNING_KEY)
        deps.logger.warn({ reason: outcome.reason }, 'audit checkpoint skipped');
      return outcome;
    }
    if (daily) {
      await queueCheckpointMail(deps.queues, deps.config.auditWitnessEmails, outcome);
      if (deps.config.auditWitnessEmails?.length) {
        // Earlier checkpoints whose mail never went: queued again (a failed job is retried).
        for (const checkpointId of await unmailedCheckpoints(deps.db)) {
          if (checkpointId !== outcome.id) await deps.queues.ensureQueued('audit-witness', { checkpointId });
        }
      }
    }
    deps.logger.info({ seq: outcome.checkpoint.seq, daily }, 'audit checkpoint signed');
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
