import { eq, sql } from 'drizzle-orm';
import { DateTime } from 'luxon';
import { schools } from '../../db/schema/index.js';
import { assertRole } from '../core/authorization.js';
import type { ServiceContext } from '../core/service-context.js';
import { invalidInput, notFound } from '../core/service-error.js';
import { deadlineReportInputSchema, MAX_REPORT_DAYS } from './deadline-report.js';
import { schoolCalendarOf } from './school-calendar-of.js';

export interface TrendPoint {
  /** Monday of the week, in the school's time zone (YYYY-MM-DD). */
  weekStart: string;
  comments: number;
  due: number;
  respondedInTime: number;
  shareInTime: number | null;
  medianSecondsToFirstResponse: number | null;
}

/**
 * The deadline report over time: per week of the range, the share of due comments answered in
 * time and the median time to first response. Same roles and rules as the deadline report.
 */
export async function deadlineTrend(
  ctx: ServiceContext,
  schoolId: string,
  rawInput: unknown,
  options: { now?: Date } = {},
): Promise<TrendPoint[]> {
  assertRole(ctx, schoolId, ['senior_leader', 'comms', 'trust_admin', 'auditor'], 'read deadline reports');
  const parsed = deadlineReportInputSchema.safeParse(rawInput);
  if (!parsed.success) throw invalidInput('Choose a valid date range');
  const { from, to } = parsed.data;
  const [school] = await ctx.db.select().from(schools).where(eq(schools.id, schoolId));
  if (!school) throw notFound('That school');
  const zone = schoolCalendarOf(school).timeZone;
  const first = DateTime.fromISO(from, { zone });
  const last = DateTime.fromISO(to, { zone });
  if (last.diff(first, 'days').days + 1 > MAX_REPORT_DAYS) {
    throw invalidInput(`A report covers at most ${MAX_REPORT_DAYS} days`);
  }
  const start = first.startOf('day').toJSDate().toISOString();
  const end = last.plus({ days: 1 }).startOf('day').toJSDate().toISOString();
  const nowIso = (options.now ?? new Date()).toISOString();
  const rows = (
    await ctx.db.execute<{
      week: string;
      comments: number;
      due: number;
      in_time: number;
      median_s: number | null;
    }>(sql`
      select to_char(date_trunc('week', posted_at at time zone ${zone}), 'YYYY-MM-DD') as week,
        count(*)::int as comments,
        count(*) filter (where first_response_at is not null or deadline_at <= ${nowIso}::timestamptz)::int as due,
        count(*) filter (where first_response_at <= deadline_at)::int as in_time,
        percentile_cont(0.5) within group (order by extract(epoch from first_response_at - coalesce(deadline_clock_started_at, posted_at))) as median_s
      from comments
      where school_id = ${schoolId} and deadline_at is not null
        and posted_at >= ${start}::timestamptz and posted_at < ${end}::timestamptz
      group by 1 order by 1`)
  ).rows;
  const byWeek = new Map(rows.map((r) => [r.week, r]));
  const points: TrendPoint[] = [];
  for (let w = first.startOf('week'); w <= last; w = w.plus({ weeks: 1 })) {
    const key = w.toISODate() ?? '';
    const r = byWeek.get(key);
    const due = r?.due ?? 0;
    points.push({
      weekStart: key,
      comments: r?.comments ?? 0,
      due,
      respondedInTime: r?.in_time ?? 0,
      shareInTime: due > 0 ? (r?.in_time ?? 0) / due : null,
      medianSecondsToFirstResponse:
        r?.median_s === null || r?.median_s === undefined ? null : Math.round(Number(r.median_s)),
    });
  }
  return points;
}
