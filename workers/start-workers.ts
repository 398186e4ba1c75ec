import { DelayedError, UnrecoverableError, Worker } from 'bullmq';
import type { Logger } from 'pino';
import { metrics } from '../services/core/metrics.js';
import { createWorkerRedis } from '../services/core/redis-connections.js';
import {
  type HandlerRegistration,
  JOBS,
  type JobName,
  QUEUE_NAMES,
  resolveHandlers,
} from './job-registry.js';

export interface RunningWorkers {
  workers: Worker[];
  close(): Promise<void>;
}

export interface StartWorkersOptions {
  redisUrl: string;
  prefix: string;
  registrations: HandlerRegistration[];
  logger: Logger;
  concurrency?: number;
  /** Queues this process serves (all by default): a trust can run pollers apart from executors. */
  queues?: readonly string[];
  /**
   * How long a job stays locked to its worker without the lock being renewed, and how often
   * stalled jobs are looked for: a job whose worker died is taken up again within about twice
   * this. BullMQ's 30 s by default; tests shorten it.
   */
  lockDurationMs?: number;
}

/**
 * One BullMQ worker per queue, dispatching by job name to the one registered handler. Data is
 * parsed against the registry; data that does not parse fails the job for good (retrying it
 * cannot help) instead of looping.
 */
export function startWorkers(options: StartWorkersOptions): RunningWorkers {
  const handlers = resolveHandlers(options.registrations);
  const connection = createWorkerRedis(options.redisUrl);
  const served = QUEUE_NAMES.filter((q) => !options.queues || options.queues.includes(q));
  const workers = served.map((queueName) => {
    const worker = new Worker(
      queueName,
      async (job, token) => {
        const def = JOBS[job.name as JobName];
        const handler = handlers.get(job.name);
        if (!def || !handler || def.queue !== queueName) {
          throw new UnrecoverableError(`no handler for job "${job.name}" on queue "${queueName}"`);
        }
        const parsed = def.data.safeParse(job.data);
        if (!parsed.success)
          throw new UnrecoverableError(`invalid data for ${job.name}: ${parsed.error.message}`);
        const started = Date.now();
        const due = job.timestamp + (job.delay ?? 0);
        if (job.attemptsMade === 0 && due <= started)
          metrics.jobWait.observe({ queue: queueName }, (started - due) / 1_000);
        const timed = (outcome: string) =>
          metrics.jobDuration.observe(
            { queue: queueName, job: job.name, outcome },
            (Date.now() - started) / 1_000,
          );
        return handler(parsed.data as never, {
          jobId: job.id,
          attemptsMade: job.attemptsMade,
          delayUntil: async (at) => {
            await job.moveToDelayed(at.getTime(), token);
            throw new DelayedError();
          },
        }).then(
          (result) => {
            timed('completed');
            // The job's own line: ids and timing only, never its data (comment text, tokens).
            options.logger.info(
              { queue: queueName, job: job.name, jobId: job.id, ms: Date.now() - started },
              'job completed',
            );
            return result;
          },
          (error: unknown) => {
            timed(error instanceof DelayedError ? 'delayed' : 'failed');
            throw error;
          },
        );
      },
      {
        connection,
        prefix: options.prefix,
        concurrency: options.concurrency ?? 8,
        autorun: true,
        ...(options.lockDurationMs
          ? { lockDuration: options.lockDurationMs, stalledInterval: options.lockDurationMs }
          : {}),
      },
    );
    worker.on('failed', (job, error) => {
      options.logger.warn(
        {
          queue: queueName,
          job: job?.name,
          jobId: job?.id,
          attempts: job?.attemptsMade,
          err: { message: error.message },
        },
        'job failed',
      );
    });
    worker.on('error', (error) =>
      options.logger.error({ queue: queueName, err: { message: error.message } }, 'worker error'),
    );
    return worker;
  });
  return {
    workers,
    async close() {
      await Promise.all(workers.map((w) => w.close()));
      connection.disconnect();
    },
  };
}
