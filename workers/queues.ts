import { type JobsOptions, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { JOBS, type JobData, type JobName, QUEUE_NAMES, type QueueName } from './job-registry.js';

export type Queues = Record<QueueName, Queue> & {
  add<N extends JobName>(name: N, data: JobData<N>, options?: JobsOptions): Promise<void>;
  addBulk<N extends JobName>(name: N, items: JobData<N>[], options?: JobsOptions): Promise<void>;
  /**
   * Makes sure a job for this row will run: adds it, or retries it if a job with its id failed,
   * or replaces it if one completed while the row says the work is still undone.
   */
  ensureQueued<N extends JobName>(
    name: N,
    data: JobData<N>,
    options?: JobsOptions,
  ): Promise<'added' | 'retried' | 'pending'>;
  /** Pings the queues' Redis connection (a write checks the queue is there before it saves). */
  ping(): Promise<string>;
  close(): Promise<void>;
};

const DEFAULT_JOB_OPTIONS: JobsOptions = {
  attempts: 8,
  backoff: { type: 'exponential', delay: 1_000, jitter: 0.5 },
  removeOnComplete: { age: 3_600, count: 10_000 },
  removeOnFail: { age: 7 * 24 * 3_600 },
};

/**
 * Producers for every queue. Jobs are added by name only: the data is validated against the
 * registry and the id derived from it, so callers cannot enqueue a job the workers cannot run.
 */
export function createQueues(connection: Redis, prefix: string): Queues {
  const queues = Object.fromEntries(
    QUEUE_NAMES.map((name) => [
      name,
      new Queue(name, { connection, prefix, defaultJobOptions: DEFAULT_JOB_OPTIONS }),
    ]),
  ) as Record<QueueName, Queue>;
  return Object.assign(queues, {
    ping: () => connection.ping(),
    async add<N extends JobName>(name: N, data: JobData<N>, options?: JobsOptions) {
      const def = JOBS[name];
      const parsed = def.data.parse(data) as never;
      await queues[def.queue].add(name, parsed, { jobId: def.jobId(parsed), ...options });
    },
    async addBulk<N extends JobName>(name: N, items: JobData<N>[], options?: JobsOptions) {
      if (items.length === 0) return;
      const def = JOBS[name];
      await queues[def.queue].addBulk(
        items.map((data) => {
          const parsed = def.data.parse(data) as never;
          return { name, data: parsed, opts: { jobId: def.jobId(parsed), ...options } };
        }),
      );
    },
    async ensureQueued<N extends JobName>(name: N, data: JobData<N>, options?: JobsOptions) {
      const def = JOBS[name];
      const parsed = def.data.parse(data) as never;
      const id = def.jobId(parsed);
      const queue = queues[def.queue];
      const existing = await queue.getJob(id);
      if (existing) {
        const state = await existing.getState();
        if (state === 'failed') {
          // A fresh set of attempts: the relay queues it again because the first set ran out.
          await existing.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
          return 'retried';
        }
        if (state !== 'completed' && state !== 'unknown') return 'pending';
        await existing.remove().catch(() => {});
      }
      await queue.add(name, parsed, { ...options, jobId: id });
      return 'added';
    },
    async close() {
      await Promise.all(QUEUE_NAMES.map((name) => queues[name].close()));
    },
  });
}
