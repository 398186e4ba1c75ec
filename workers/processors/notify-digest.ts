import { systemContext } from '../../services/core/service-context.js';
import { createMailer } from '../../services/notifications/mailer.js';
import { sendDigests } from '../../services/notifications/send-digests.js';
import { handle } from '../job-registry.js';
import type { WorkerDeps } from '../worker-deps.js';

/** How often held, non-urgent emails go out as one digest per person (NOTIFY_DIGEST_MINUTES). */
export const digestEveryMs = (deps: WorkerDeps) => deps.config.notifications.digestMinutes * 60_000;

export const notifyDigestProcessor = (deps: WorkerDeps) => {
  const mailer = createMailer(deps.config.notifications);
  return handle('notify-digest', async (_data, job) =>
    sendDigests(systemContext(deps.db, 'notification digest', job.jobId), {
      mailer,
      publicUrl: deps.config.publicUrl,
      maxAttempts: deps.config.notifications.attempts,
    }),
  );
};
