import type { JobSchedulerJson } from 'bullmq';
import type { Logger } from 'pino';
import type { Database } from '../db/client.js';
import type { PollScheduler } from './poll-schedulers.js';
import type { Queues } from './queues.js';

export const WATCHDOG_EVERY_MS = 15_000;

export interface SchedulerWatchdog {
  /** One check now (tests, and the timer). True when schedulers had to be restored. */
  check(): Promise<boolean>;
  stop(): void;
}

/**
 * Redis carries the job schedulers (relay, sweep, polls…), and a Redis that lost its data (a
 * FLUSHALL, a failover to an empty replica) loses them while the workers keep running, so nothing
 * would poll or relay again until a restart. The watchdog remembers the maintenance schedulers the
 * runtime set up and, when one is gone, puts them back and reconciles the poll schedulers from
 * Postgres: the relay then re-enqueues every unprocessed comment and the sweep catches deadlines.
 */
export async function startSchedulerWatchdog(options: {
  queues: Queues;
  pollScheduler: PollScheduler;
  db: Database;
  defaultPollIntervalSeconds: number;
  logger: Logger;
  everyMs?: number;
}): Promise<SchedulerWatchdog> {
  const { queues, logger } = options;
  const queue = queues.maintenance;
  const expected: JobSchedulerJson[] = await queue.getJobSchedulers(0, -1);
  let running = false;

  async function check(): Promise<boolean> {
    if (running) return false;
    running = true;
    try {
      const missing: JobSchedulerJson[] = [];
      for (const s of expected) if (!(await queue.getJobScheduler(s.key))) missing.push(s);
      if (missing.length === 0) return false;
      for (const s of missing) {
        await queue.upsertJobScheduler(
          s.key,
          s.pattern ? { pattern: s.pattern, ...(s.tz ? { tz: s.tz } : {}) } : { every: s.every ?? 60_000 },
          {
            name: s.name,
            data: s.template?.data ?? {},
            ...(s.template?.opts ? { opts: s.template.opts } : {}),
          },
        );
      }
      const polls = await options.pollScheduler.reconcile(options.db, options.defaultPollIntervalSeconds);
      logger.warn(
        { restored: missing.map((s) => s.key), pollSchedulers: polls.started },
        'job schedulers were missing from Redis (lost data?); restored them from Postgres',
      );
      return true;
    } catch (error) {
      // Redis down: the next check tries again once it is back.
      logger.debug({ err: { message: (error as Error).message } }, 'scheduler watchdog check failed');
      return false;
    } finally {
      running = false;
    }
  }

  const timer = setInterval(() => void check(), options.everyMs ?? WATCHDOG_EVERY_MS);
  timer.unref();
  return { check, stop: () => clearInterval(timer) };
}
