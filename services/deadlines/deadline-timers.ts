import type { JobsOptions } from 'bullmq';
import type { Queues } from '../../workers/queues.js';

/**
 * A comment's next timer: the warning at `warnAt` when it has one, else the breach at `deadlineAt`.
 * A comment has one delayed job at a time: the warning job places the breach timer when it has
 * warned (workers/processors/deadline-warning.ts), so a comment answered before its warning, the
 * common case, costs one timer, not two.
 */
export interface DeadlineTimer {
  commentId: string;
  warnAt: Date | null;
  deadlineAt: Date | null;
}

/**
 * The delayed warning and breach jobs of comments. Timers are an optimisation over the sweep:
 * losing one (Redis flushed) delays a warning or breach by at most a sweep interval.
 */
export interface DeadlineTimers {
  /**
   * Adds each comment's next timer. A job id that exists (or completed and is kept) swallows the
   * add, so a caller replacing timers (a calendar change) removes them first.
   */
  schedule(timers: readonly DeadlineTimer[]): Promise<void>;
  remove(commentIds: readonly string[]): Promise<void>;
}

export const warningJobId = (commentId: string) => `deadline-warning-${commentId}`;
export const breachJobId = (commentId: string) => `deadline-breach-${commentId}`;

export function queueDeadlineTimers(
  queues: Pick<Queues, 'deadlines'>,
  now: () => number = Date.now,
): DeadlineTimers {
  const removeOne = async (jobId: string) => {
    // A job already running cannot be removed; its verb re-checks the row, so that is harmless.
    await queues.deadlines.remove(jobId).catch(() => 0);
  };
  const remove = async (commentIds: readonly string[]) => {
    await Promise.all(commentIds.flatMap((id) => [removeOne(warningJobId(id)), removeOne(breachJobId(id))]));
  };
  return {
    remove,
    async schedule(timers) {
      // One round trip for a whole batch of comments (a processed poll page).
      const jobs = timers.flatMap((t): { name: string; data: { commentId: string }; opts: JobsOptions }[] => {
        const data = { commentId: t.commentId };
        if (t.warnAt)
          return [
            {
              name: 'deadline-warning',
              data,
              opts: { jobId: warningJobId(t.commentId), delay: Math.max(0, t.warnAt.getTime() - now()) },
            },
          ];
        if (t.deadlineAt)
          return [
            {
              name: 'deadline-breach',
              data,
              opts: { jobId: breachJobId(t.commentId), delay: Math.max(0, t.deadlineAt.getTime() - now()) },
            },
          ];
        return [];
      });
      if (jobs.length) await queues.deadlines.addBulk(jobs);
    },
  };
}
