import type { Job } from 'bullmq';
import { QUEUE_NAMES, type QueueName } from '../../workers/job-registry.js';
import { createQueues, type Queues } from '../../workers/queues.js';
import { createProducerRedis } from '../core/redis-connections.js';
import { type CliIo, CommandError, cliConfig, parseOptions, positiveInt, UsageError } from './cli-io.js';

const PAGE = 500;

function queuesFrom(value: string | undefined): QueueName[] {
  if (value === undefined) return [...QUEUE_NAMES];
  if (!(QUEUE_NAMES as readonly string[]).includes(value)) {
    throw new UsageError(`unknown queue "${value}"; the queues are ${QUEUE_NAMES.join(', ')}`);
  }
  return [value as QueueName];
}

async function withQueues<T>(fn: (queues: Queues) => Promise<T>): Promise<T> {
  const config = cliConfig();
  // Commands wait for the connection (offline queue), but give up after one failed reconnect.
  const redis = createProducerRedis(config.redisUrl, { enableOfflineQueue: true });
  try {
    await redis.ping();
  } catch (error) {
    redis.disconnect();
    throw new CommandError(`Redis at ${config.redisUrl} is not answering (${(error as Error).message})`);
  }
  const queues = createQueues(redis, config.redisPrefix);
  try {
    return await fn(queues);
  } finally {
    await queues.close();
    redis.disconnect();
  }
}

/** Failed jobs oldest page first; the reason's first line only (it never holds comment text). */
function describe(queue: string, job: Job): string {
  const reason = (job.failedReason ?? '').split('\n')[0]!.slice(0, 160);
  const at = job.finishedOn ? new Date(job.finishedOn).toISOString() : '-';
  return [queue, job.id ?? '-', job.name, `attempts=${job.attemptsMade}`, at, reason].join('\t');
}

/** `jobs failed [--queue q] [--limit n]`: the failed jobs, one per line, tab-separated. */
async function listFailed(argv: string[], io: CliIo): Promise<number> {
  const opts = parseOptions(argv, { queue: { type: 'string' }, limit: { type: 'string' } });
  const names = queuesFrom(opts.queue);
  const limit = positiveInt(opts.limit, 'limit') ?? 100;
  return withQueues(async (queues) => {
    let total = 0;
    for (const name of names) {
      const count = await queues[name].getFailedCount();
      total += count;
      if (count === 0) continue;
      const jobs = await queues[name].getFailed(0, limit - 1);
      for (const job of jobs) io.out(describe(name, job));
      if (count > jobs.length) io.progress(`${name}: ${count - jobs.length} more failed jobs not shown`);
    }
    io.progress(total === 0 ? 'No failed jobs' : `${total} failed job${total === 1 ? '' : 's'}`);
    return 0;
  });
}

/** `jobs retry [--queue q] (--all | --id <job id>)`: moves failed jobs back to waiting. */
async function retryFailed(argv: string[], io: CliIo): Promise<number> {
  const opts = parseOptions(argv, {
    queue: { type: 'string' },
    all: { type: 'boolean' },
    id: { type: 'string' },
  });
  if (!opts.all && !opts.id) throw new UsageError('jobs retry needs --all or --id <job id>');
  if (opts.all && opts.id) throw new UsageError('give --all or --id, not both');
  const names = queuesFrom(opts.queue);
  return withQueues(async (queues) => {
    if (opts.id) {
      for (const name of names) {
        const job = await queues[name].getJob(opts.id!);
        if (!job) continue;
        if ((await job.getState()) !== 'failed')
          throw new CommandError(`Job ${opts.id} on ${name} has not failed`);
        await job.retry('failed');
        io.out(`Re-queued ${name} ${opts.id}`);
        return 0;
      }
      throw new CommandError(`No job ${opts.id} on ${names.join(', ')}`);
    }
    let retried = 0;
    for (const name of names) {
      const total = await queues[name].getFailedCount();
      if (total === 0) continue;
      let done = 0;
      // Retrying moves a job out of the failed set, so the first page is always the next one.
      for (;;) {
        const jobs = await queues[name].getFailed(0, PAGE - 1);
        if (jobs.length === 0) break;
        for (const job of jobs) {
          await job.retry('failed');
          done += 1;
        }
        io.progress(`${name}: re-queued ${done}/${total}`);
        if (done >= total) break;
      }
      retried += done;
    }
    io.out(`Re-queued ${retried} failed job${retried === 1 ? '' : 's'}`);
    return 0;
  });
}

export async function jobsCommand(argv: string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === 'failed') return listFailed(rest, io);
  if (sub === 'retry') return retryFailed(rest, io);
  throw new UsageError(sub ? `unknown jobs command "${sub}"` : 'jobs needs a command: failed or retry');
}
