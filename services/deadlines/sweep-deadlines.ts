import { and, asc, eq, gt, isNull, lte } from 'drizzle-orm';
import { comments } from '../../db/schema/index.js';
import type { ServiceContext } from '../core/service-context.js';
import { breachDeadline } from './breach-deadline.js';
import { notifyOverdueFollowUps, notifyOverdueRisks } from './overdue-reminders.js';
import { warnDeadline } from './warn-deadline.js';

export const SWEEP_EVERY_MS = 60_000;
const DEFAULT_LIMIT = 1_000;

export interface SweepResult {
  breached: number;
  warned: number;
  /** follow-ups past their target, told once (P2) */
  followUpsOverdue: number;
  /** accounts at risk past their replacement deadline, told once (P4, P8) */
  risksOverdue: number;
}

/**
 * Finds what the timers should have done and does it with the same verbs, so a flushed Redis or a
 * lost job delays a warning or a breach by one sweep, never forever. Postgres is the truth: the
 * open, unbreached, due rows come off `comments_sweep_idx`.
 */
export async function sweepDeadlines(
  ctx: ServiceContext,
  input: { now?: Date; limit?: number } = {},
): Promise<SweepResult> {
  const now = input.now ?? new Date();
  const limit = input.limit ?? DEFAULT_LIMIT;
  const due = await ctx.db
    .select({ id: comments.id })
    .from(comments)
    .where(and(eq(comments.status, 'open'), isNull(comments.breachedAt), lte(comments.deadlineAt, now)))
    .orderBy(asc(comments.deadlineAt))
    .limit(limit);
  let breached = 0;
  for (const { id } of due) {
    if ((await breachDeadline(ctx, { commentId: id, now })).status === 'breached') breached += 1;
  }
  const warningDue = await ctx.db
    .select({ id: comments.id })
    .from(comments)
    .where(
      and(
        eq(comments.status, 'open'),
        isNull(comments.breachedAt),
        gt(comments.deadlineAt, now),
        isNull(comments.warnedAt),
        lte(comments.warnAt, now),
      ),
    )
    .orderBy(asc(comments.deadlineAt))
    .limit(limit);
  let warned = 0;
  for (const { id } of warningDue) {
    if ((await warnDeadline(ctx, { commentId: id, now })).status === 'warned') warned += 1;
  }
  const followUpsOverdue = await notifyOverdueFollowUps(ctx, now);
  const risksOverdue = await notifyOverdueRisks(ctx, now);
  return { breached, warned, followUpsOverdue, risksOverdue };
}
