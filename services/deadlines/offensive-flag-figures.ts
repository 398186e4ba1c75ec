import { and, arrayContains, eq, gte, lt, min, sql } from 'drizzle-orm';
import type { Queryable } from '../../db/client.js';
import { comments, moderationActions } from '../../db/schema/index.js';
import { replyPolicyOf } from '../comments/reply-policy.js';
import { addWorkingMinutes } from '../moderation/flag-target.js';
import type { SchoolCalendar } from './school-calendar.js';

/**
 * P3 in the reports: how the school met its offensive-flag handling target (a school setting,
 * default one working hour) for comments flagged in the range. A flag is handled when someone
 * first acts on the comment (a moderation action proposed or taken) or it is answered or closed.
 */
export interface OffensiveFlagFigures {
  targetMinutes: number;
  flagged: number;
  handled: number;
  handledInTime: number;
  /** handledInTime / flagged that are handled or past the target; null when none is due yet */
  shareInTime: number | null;
  /** not handled yet and past the target now */
  openOverdue: number;
}

const MAX_ROWS = 50_000;

export async function offensiveFlagFigures(
  db: Queryable,
  school: { id: string; replyPolicy: unknown },
  calendar: SchoolCalendar,
  range: { start: Date; end: Date },
  now: Date,
): Promise<OffensiveFlagFigures> {
  const targetMinutes = replyPolicyOf(school.replyPolicy).offensiveFlagTargetMinutes;
  const flaggedAt = sql<Date>`coalesce(${comments.processedAt}, ${comments.ingestedAt})`;
  const firstAction = db
    .select({ commentId: moderationActions.commentId, at: min(moderationActions.createdAt).as('first_at') })
    .from(moderationActions)
    .where(eq(moderationActions.schoolId, school.id))
    .groupBy(moderationActions.commentId)
    .as('first_action');
  const rows = await db
    .select({
      flaggedAt: flaggedAt.mapWith(comments.ingestedAt),
      resolvedAt: comments.resolvedAt,
      firstResponseAt: comments.firstResponseAt,
      actedAt: firstAction.at,
    })
    .from(comments)
    .leftJoin(firstAction, eq(firstAction.commentId, comments.id))
    .where(
      and(
        eq(comments.schoolId, school.id),
        arrayContains(comments.categories, ['offensive']),
        gte(flaggedAt, range.start),
        lt(flaggedAt, range.end),
      ),
    )
    .limit(MAX_ROWS);
  let handled = 0;
  let handledInTime = 0;
  let openOverdue = 0;
  let due = 0;
  for (const r of rows) {
    const handleBy = addWorkingMinutes(r.flaggedAt, targetMinutes, calendar);
    const times = [r.resolvedAt, r.firstResponseAt, r.actedAt ? new Date(r.actedAt) : null].filter(
      (t): t is Date => t instanceof Date,
    );
    const at = times.length ? new Date(Math.min(...times.map((t) => t.getTime()))) : null;
    if (at) {
      handled += 1;
      due += 1;
      if (at <= handleBy) handledInTime += 1;
    } else if (handleBy < now) {
      openOverdue += 1;
      due += 1;
    }
  }
  return {
    targetMinutes,
    flagged: rows.length,
    handled,
    handledInTime,
    shareInTime: due > 0 ? handledInTime / due : null,
    openOverdue,
  };
}
