import { sendReviewReminders } from '../../services/accounts/review-reminders.js';
import { systemContext } from '../../services/core/service-context.js';
import { handle } from '../job-registry.js';
import type { WorkerDeps } from '../worker-deps.js';

/** Every hour: account review reminders to senior leaders, and Redis's poll schedules made to match Postgres. */
export const GOVERNANCE_CHECK_EVERY_MS = 3_600_000;

export const governanceCheckProcessor = (deps: WorkerDeps) =>
  handle('governance-check', async (_data, job) => {
    const reminders = await sendReviewReminders(
      systemContext(deps.db, 'review reminders', job.jobId),
      new Date(),
    );
    // An activation whose schedule could not be written (Redis down after commit) is picked up here.
    const polling = await deps.pollScheduler.reconcile(deps.db, deps.config.pollIntervalSeconds);
    return { reminded: reminders.reminded.length, polling };
  });
