import { and, eq } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { socialAccounts } from '../db/schema/index.js';
import { JOBS } from './job-registry.js';
import type { Queues } from './queues.js';

/** Starts and stops the per-account poll. Governance calls it after activation or suspension commits. */
export interface PollScheduler {
  startPolling(accountId: string, intervalSeconds: number): Promise<void>;
  stopPolling(accountId: string): Promise<void>;
  /** Makes Redis match Postgres: a scheduler for every pollable account and none for the rest. */
  reconcile(db: Database, defaultIntervalSeconds: number): Promise<{ started: number; stopped: number }>;
}

const schedulerId = (accountId: string) => JOBS['poll-account'].jobId({ accountId });

export function createPollScheduler(queues: Queues): PollScheduler {
  const queue = queues[JOBS['poll-account'].queue];
  const scheduler: PollScheduler = {
    async startPolling(accountId, intervalSeconds) {
      // A stable scheduler id per account: upserting again changes the interval, never adds a second.
      await queue.upsertJobScheduler(
        schedulerId(accountId),
        { every: intervalSeconds * 1_000 },
        {
          name: 'poll-account',
          data: { accountId },
          opts: { attempts: 3, backoff: { type: 'exponential', delay: 2_000, jitter: 0.5 } },
        },
      );
    },
    async stopPolling(accountId) {
      await queue.removeJobScheduler(schedulerId(accountId));
    },
    async reconcile(db, defaultIntervalSeconds) {
      const pollable = await db
        .select({ id: socialAccounts.id, settings: socialAccounts.settings })
        .from(socialAccounts)
        .where(and(eq(socialAccounts.status, 'active'), eq(socialAccounts.credentialStatus, 'valid')));
      const wanted = new Set(pollable.map((a) => schedulerId(a.id)));
      let stopped = 0;
      for (const existing of await queue.getJobSchedulers(0, -1)) {
        if (existing.name === 'poll-account' && existing.key && !wanted.has(existing.key)) {
          await queue.removeJobScheduler(existing.key);
          stopped += 1;
        }
      }
      for (const account of pollable) {
        await scheduler.startPolling(
          account.id,
          account.settings.pollIntervalSeconds ?? defaultIntervalSeconds,
        );
      }
      return { started: pollable.length, stopped };
    },
  };
  return scheduler;
}
