import { createHash } from 'node:crypto';
import { z } from 'zod';

/** Every queue. Names are stable: they are part of the Redis keys. */
export const QUEUE_NAMES = ['poll', 'process', 'deadlines', 'actions', 'notify', 'maintenance'] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];

const uuid = z.uuid();

/** A BullMQ job id may not contain ':' and may not be all digits; ours are `<kind>-<uuid>`. */
const jobId = (kind: string, id: string) => `${kind}-${id}`;

/** One id: itself; a batch: a digest of its sorted ids, so the same batch is one job. */
const batchKey = (ids: readonly string[]) =>
  ids.length === 1
    ? ids[0]!
    : `batch-${createHash('sha256')
        .update([...ids].sort().join(','))
        .digest('hex')
        .slice(0, 32)}`;

/**
 * Every job: its queue, the schema of its data, and how its id is derived from the row it acts
 * on, so that enqueueing the same work twice is one job.
 */
export const JOBS = {
  'poll-account': {
    queue: 'poll',
    data: z.object({ accountId: uuid }),
    jobId: (d: { accountId: string }) => jobId('poll', d.accountId),
  },
  'fetch-mention': {
    queue: 'poll',
    // Instagram's mentions webhook names the comment only: the job reads it and stores it.
    data: z.object({
      accountId: uuid,
      mediaId: z.string().regex(/^[0-9]{1,25}$/),
      commentId: z.string().regex(/^[0-9]{1,25}$/),
    }),
    jobId: (d: { accountId: string; commentId: string }) => jobId('mention', `${d.accountId}-${d.commentId}`),
  },
  'process-comments': {
    queue: 'process',
    // A poll page's inserted comments, or a relay chunk: processed in one transaction.
    data: z.object({ commentIds: z.array(uuid).min(1).max(500) }),
    jobId: (d: { commentIds: string[] }) => jobId('process', batchKey(d.commentIds)),
  },
  'relay-unprocessed': {
    queue: 'maintenance',
    data: z.object({}),
    jobId: () => 'relay-unprocessed',
  },
  'deadline-warning': {
    queue: 'deadlines',
    data: z.object({ commentId: uuid }),
    jobId: (d: { commentId: string }) => jobId('deadline-warning', d.commentId),
  },
  'deadline-breach': {
    queue: 'deadlines',
    data: z.object({ commentId: uuid }),
    jobId: (d: { commentId: string }) => jobId('deadline-breach', d.commentId),
  },
  'deadline-sweep': {
    queue: 'maintenance',
    data: z.object({}),
    jobId: () => 'deadline-sweep',
  },
  'send-reply': {
    queue: 'actions',
    data: z.object({ responseId: uuid }),
    jobId: (d: { responseId: string }) => jobId('send-reply', d.responseId),
  },
  'relay-replies': {
    queue: 'maintenance',
    data: z.object({}),
    jobId: () => 'relay-replies',
  },
  'execute-action': {
    queue: 'actions',
    data: z.object({ actionId: uuid }),
    jobId: (d: { actionId: string }) => jobId('execute-action', d.actionId),
  },
  'expire-proposals': {
    queue: 'maintenance',
    data: z.object({}),
    jobId: () => 'expire-proposals',
  },
  'governance-check': {
    queue: 'maintenance',
    data: z.object({}),
    jobId: () => 'governance-check',
  },
  // Sign the audit chain head: every AUDIT_CHECKPOINT_MINUTES ('interval', skipped when nothing
  // new was logged), and once a day ('daily', mailed to the outside witnesses).
  'audit-checkpoint': {
    queue: 'maintenance',
    data: z.object({ kind: z.enum(['daily', 'interval']).default('daily') }),
    jobId: (d: { kind: 'daily' | 'interval' }) =>
      d.kind === 'interval' ? 'audit-checkpoint-interval' : 'audit-checkpoint',
  },
  // After each daily or on-demand checkpoint: mail it to the outside witnesses (AUDIT_WITNESS_EMAILS).
  'audit-witness': {
    queue: 'maintenance',
    data: z.object({ checkpointId: uuid }),
    jobId: (d: { checkpointId: string }) => jobId('audit-witness', d.checkpointId),
  },
  retention: {
    queue: 'maintenance',
    data: z.object({}),
    jobId: () => 'retention',
  },
  // P1: each working morning, the previous working day's untriaged accounts go to senior leaders.
  'monitoring-check': {
    queue: 'maintenance',
    data: z.object({}),
    jobId: () => 'monitoring-check',
  },
  notify: {
    queue: 'notify',
    data: z.object({ deliveryId: uuid }),
    jobId: (d: { deliveryId: string }) => jobId('notify', d.deliveryId),
  },
  'notify-relay': {
    queue: 'maintenance',
    data: z.object({}),
    jobId: () => 'notify-relay',
  },
  'notify-digest': {
    queue: 'maintenance',
    data: z.object({}),
    jobId: () => 'notify-digest',
  },
} as const satisfies Record<string, JobDefinition>;

export interface JobDefinition {
  queue: QueueName;
  data: z.ZodType;
  jobId: (data: never) => string;
}

export type JobName = keyof typeof JOBS;
export type JobData<N extends JobName> = z.output<(typeof JOBS)[N]['data']>;

export interface JobHandlerContext {
  jobId: string | undefined;
  attemptsMade: number;
  /**
   * Moves the job to delayed until `at` without spending an attempt (BullMQ's DelayedError
   * pattern); the handler returns what this returns. Absent when a handler is called directly.
   */
  delayUntil?: (at: Date) => Promise<never>;
}

export type JobHandler<N extends JobName = JobName> = (
  data: JobData<N>,
  job: JobHandlerContext,
) => Promise<unknown>;

export interface HandlerRegistration {
  name: string;
  handler: JobHandler<never>;
}

export const handle = <N extends JobName>(name: N, handler: JobHandler<N>): HandlerRegistration => ({
  name,
  handler: handler as JobHandler<never>,
});

export class JobRegistryError extends Error {
  override name = 'JobRegistryError';
}

/**
 * Refuses to start unless every job has exactly one handler and every handler names a known job:
 * a job without a handler would sit in Redis forever, two handlers would race.
 */
export function resolveHandlers(
  registrations: HandlerRegistration[],
  jobs: Record<string, JobDefinition> = JOBS,
): Map<string, JobHandler<never>> {
  const byName = new Map<string, JobHandler<never>>();
  const problems: string[] = [];
  for (const { name, handler } of registrations) {
    if (!Object.hasOwn(jobs, name)) problems.push(`handler for unknown job "${name}"`);
    else if (byName.has(name)) problems.push(`job "${name}" has two handlers`);
    else byName.set(name, handler);
  }
  for (const name of Object.keys(jobs)) if (!byName.has(name)) problems.push(`job "${name}" has no handler`);
  if (problems.length) throw new JobRegistryError(`Job registry: ${problems.join('; ')}`);
  return byName;
}
