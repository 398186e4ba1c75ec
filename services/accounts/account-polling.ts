import type { SocialAccount } from '../../db/schema/index.js';
import type { PollScheduler } from '../../workers/poll-schedulers.js';

/** What the lifecycle verbs need to start and stop an account's poll once their change commits. */
export interface AccountPolling {
  scheduler: Pick<PollScheduler, 'startPolling' | 'stopPolling'>;
  defaultIntervalSeconds: number;
}

/**
 * `scheduled`: Redis now matches Postgres. `pending`: Redis refused (it is down); the change has
 * committed and the workers' reconcile puts the scheduler right when they next start.
 */
export type PollingOutcome = 'scheduled' | 'pending';

export async function startAccountPolling(
  polling: AccountPolling,
  account: Pick<SocialAccount, 'id' | 'settings'>,
): Promise<PollingOutcome> {
  try {
    await polling.scheduler.startPolling(
      account.id,
      account.settings.pollIntervalSeconds ?? polling.defaultIntervalSeconds,
    );
    return 'scheduled';
  } catch {
    return 'pending';
  }
}

export async function stopAccountPolling(
  polling: AccountPolling,
  accountId: string,
): Promise<PollingOutcome> {
  try {
    await polling.scheduler.stopPolling(accountId);
    return 'scheduled';
  } catch {
    return 'pending';
  }
}
