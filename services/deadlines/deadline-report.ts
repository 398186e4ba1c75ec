import { eq, sql } from 'drizzle-orm';
import { DateTime } from 'luxon';
import { z } from 'zod';
import { ESCALATION_KINDS, type School, schools, socialAccounts } from '../../db/schema/index.js';
import { accountLabel } from '../accounts/account-label.js';
import { assertRole } from '../core/authorization.js';
import type { ServiceContext } from '../core/service-context.js';
import { invalidInput, invalidInputFrom, notFound } from '../core/service-error.js';
import { storableIsoDate } from '../core/storable-date.js';
import type { DeadlineBand } from './deadline-status.js';
import { findUntriagedDays, type UntriagedDay } from './monitoring-coverage.js';
import { type OffensiveFlagFigures, offensiveFlagFigures } from './offensive-flag-figures.js';
import type { SchoolCalendar } from './school-calendar.js';
import { schoolCalendarOf } from './school-calendar-of.js';
import { type CalendarDate, isWorkingDate } from './working-days.js';

export const MAX_REPORT_DAYS = 366;

export const deadlineReportInputSchema = z
  .object({
    from: storableIsoDate,
    to: storableIsoDate,
  })
  .refine((r) => r.from <= r.to, { message: "'to' is before 'from'", path: ['to'] });

export interface ResponseFigures {
  /** Comments received in the range that have a deadline. */
  comments: number;
  /** Of those, answered or past their deadline: the denominator of the share. */
  due: number;
  responded: number;
  respondedInTime: number;
  /** respondedInTime / due; null when nothing is due yet. */
  shareInTime: number | null;
  medianSecondsToFirstResponse: number | null;
  p90SecondsToFirstResponse: number | null;
  /** Answered after the deadline, or still unanswered past it. */
  breaches: number;
  /**
   * P2: answered in full (a reply, an offline answer, a close, a moderation). A holding reply meets
   * the deadline without answering: those comments are `awaitingFullAnswer`, in the follow-up queue.
   */
  answered: number;
  awaitingFullAnswer: number;
  /** Of those awaiting a full answer, how many are past the school's follow-up target. */
  followUpOverdue: number;
}

export type OpenByBand = Record<DeadlineBand, number>;

export interface DeadlineReport {
  schoolId: string;
  schoolName: string;
  from: string;
  to: string;
  generatedAt: string;
  school: ResponseFigures & { open: OpenByBand };
  accounts: (ResponseFigures & { accountId: string; label: string; open: OpenByBand })[];
  responders: (Omit<
    ResponseFigures,
    'breaches' | 'due' | 'answered' | 'awaitingFullAnswer' | 'followUpOverdue'
  > & {
    userId: string;
    name: string;
  })[];
  /**
   * P1: working days on which a live account (counting suspended and retired accounts for the days
   * they were live) had no staff action on a comment: a reply, a holding reply, an offline contact,
   * a close with reason, a moderation, an escalation, a corrected flag. An internal "seen" is none.
   */
  coverageGaps: UntriagedDay[];
  workingDays: number;
  /** P1: closures in the range with nobody named to monitor the accounts while the school is shut. */
  closuresWithoutMonitor: { from: string; to: string; label: string }[];
  /** P6–P8: escalations raised and closed in the range, and open now, per kind (every kind listed). */
  escalations: EscalationFigures[];
  /** P3: offensive flags raised in the range against the school's handling target. */
  offensiveFlags: OffensiveFlagFigures;
}

export interface EscalationFigures {
  kind: (typeof ESCALATION_KINDS)[number];
  raised: number;
  /** Of those raised in the range, how many were raised by a person rather than the classifier. */
  raisedByHand: number;
  closed: number;
  /** Open or acknowledged now, whenever raised. */
  openNow: number;
  /** Raised in the range: median time to acknowledgement, of those acknowledged. */
  medianSecondsToAcknowledge: number | null;
}

type FigureRow = {
  account_id: string | null;
  answered?: number;
  awaiting?: number;
  follow_up_overdue?: number;
  comments: number;
  due: number;
  responded: number;
  in_time: number;
  median_s: number | null;
  p90_s: number | null;
  breaches: number;
};

const emptyBands = (): OpenByBand => ({ breached: 0, under_25pct: 0, under_50pct: 0, ok: 0 });
const num = (v: unknown) => (v === null || v === undefined ? null : Math.round(Number(v)));

function figures(row: FigureRow | undefined): ResponseFigures {
  const due = row?.due ?? 0;
  return {
    comments: row?.comments ?? 0,
    due,
    responded: row?.responded ?? 0,
    respondedInTime: row?.in_time ?? 0,
    shareInTime: due > 0 ? (row?.in_time ?? 0) / due : null,
    medianSecondsToFirstResponse: num(row?.median_s),
    p90SecondsToFirstResponse: num(row?.p90_s),
    breaches: row?.breaches ?? 0,
    answered: row?.answered ?? 0,
    awaitingFullAnswer: row?.awaiting ?? 0,
    followUpOverdue: row?.follow_up_overdue ?? 0,
  };
}

/** P1: closures overlapping [from, to] while the school has named nobody to monitor during closures. */
export function closuresWithoutMonitor(
  school: Pick<School, 'closureMonitorIds'>,
  calendar: SchoolCalendar,
  from: string,
  to: string,
): { from: string; to: string; label: string }[] {
  if (school.closureMonitorIds.length > 0) return [];
  return calendar.closures
    .filter((c) => c.from <= to && c.to >= from)
    .map((c) => ({ from: c.from, to: c.to, label: c.label }));
}

/**
 * How well a school met P2 over a date range (in the school's own calendar days), per account and
 * per responder, what is open now by time left, and P1 coverage. Every figure is a SQL aggregate.
 */
export async function deadlineReport(
  ctx: ServiceContext,
  schoolId: string,
  rawInput: unknown,
  options: { now?: Date } = {},
): Promise<DeadlineReport> {
  assertRole(ctx, schoolId, ['senior_leader', 'comms', 'trust_admin', 'auditor'], 'read deadline reports');
  const parsed = deadlineReportInputSchema.safeParse(rawInput);
  if (!parsed.success) throw invalidInputFrom(parsed.error);
  const { from, to } = parsed.data;
  const db = ctx.db;
  const [school] = await db.select().from(schools).where(eq(schools.id, schoolId));
  if (!school) throw notFound('That school');
  const calendar = schoolCalendarOf(school);
  const zone = calendar.timeZone;
  // Validated as ISO dates above, so both are valid.
  const first = DateTime.fromISO(from, { zone: 'utc' }) as CalendarDate;
  const last = DateTime.fromISO(to, { zone: 'utc' }) as CalendarDate;
  const days = Math.round(last.diff(first, 'days').days) + 1;
  if (days > MAX_REPORT_DAYS) throw invalidInput(`A report covers at most ${MAX_REPORT_DAYS} days`);
  const start = DateTime.fromISO(from, { zone }).startOf('day').toJSDate();
  const end = DateTime.fromISO(to, { zone }).plus({ days: 1 }).startOf('day').toJSDate();
  const now = options.now ?? new Date();
  const nowIso = now.toISOString();

  const figureRows = (
    await db.execute<FigureRow>(sql`
      select account_id,
        count(*)::int as comments,
        count(*) filter (where first_response_at is not null or deadline_at <= ${nowIso}::timestamptz)::int as due,
        count(*) filter (where first_response_at is not null)::int as responded,
        count(*) filter (where first_response_at <= deadline_at)::int as in_time,
        percentile_cont(0.5) within group (order by extract(epoch from first_response_at - coalesce(deadline_clock_started_at, posted_at))) as median_s,
        percentile_cont(0.9) within group (order by extract(epoch from first_response_at - coalesce(deadline_clock_started_at, posted_at))) as p90_s,
        count(*) filter (where first_response_at > deadline_at
          or (first_response_at is null and deadline_at < ${nowIso}::timestamptz))::int as breaches,
        count(*) filter (where answered_at is not null)::int as answered,
        count(*) filter (where status = 'responded' and answered_at is null)::int as awaiting,
        count(*) filter (where status = 'responded' and answered_at is null
          and follow_up_due_at < ${nowIso}::timestamptz)::int as follow_up_overdue
      from comments
      where school_id = ${schoolId} and deadline_at is not null
        and posted_at >= ${start.toISOString()}::timestamptz and posted_at < ${end.toISOString()}::timestamptz
      group by grouping sets ((account_id), ())`)
  ).rows;

  const bandRows = (
    await db.execute<{ account_id: string | null; band: DeadlineBand; n: number }>(sql`
      select account_id, band, count(*)::int as n from (
        select account_id,
          case
            when deadline_at < ${nowIso}::timestamptz then 'breached'
            when deadline_at <= coalesce(deadline_clock_started_at, posted_at) then 'under_25pct'
            when extract(epoch from deadline_at - ${nowIso}::timestamptz)
              / extract(epoch from deadline_at - coalesce(deadline_clock_started_at, posted_at)) < 0.25 then 'under_25pct'
            when extract(epoch from deadline_at - ${nowIso}::timestamptz)
              / extract(epoch from deadline_at - coalesce(deadline_clock_started_at, posted_at)) < 0.5 then 'under_50pct'
            else 'ok'
          end as band
        from comments
        where school_id = ${schoolId} and status = 'open' and deadline_at is not null
      ) banded
      group by grouping sets ((account_id, band), (band))`)
  ).rows;

  const responderRows = (
    await db.execute<FigureRow & { actor_id: string; name: string }>(sql`
      with first_responses as (
        select distinct on (r.comment_id) r.comment_id, r.actor_id
        from responses r
        join comments c on c.id = r.comment_id
        where r.school_id = ${schoolId} and r.status in ('recorded', 'sent') and r.kind <> 'seen'
          and c.posted_at >= ${start.toISOString()}::timestamptz and c.posted_at < ${end.toISOString()}::timestamptz
        order by r.comment_id, coalesce(r.completed_at, r.created_at), r.id
      )
      select f.actor_id, u.display_name as name, null as account_id,
        count(*)::int as comments, count(*)::int as due, count(*)::int as responded,
        count(*) filter (where c.first_response_at <= c.deadline_at)::int as in_time,
        percentile_cont(0.5) within group (order by extract(epoch from c.first_response_at - coalesce(c.deadline_clock_started_at, c.posted_at))) as median_s,
        percentile_cont(0.9) within group (order by extract(epoch from c.first_response_at - coalesce(c.deadline_clock_started_at, c.posted_at))) as p90_s,
        0 as breaches
      from first_responses f
      join comments c on c.id = f.comment_id
      join users u on u.id = f.actor_id
      where c.first_response_at is not null
      group by f.actor_id, u.display_name
      order by u.display_name`)
  ).rows;

  const coverageGaps = await findUntriagedDays(db, school, calendar, first, last);

  const escalationRows = (
    await db.execute<{
      kind: string;
      raised: number;
      by_hand: number;
      closed: number;
      open_now: number;
      median_ack_s: number | null;
    }>(sql`
      select kind,
        count(*) filter (where created_at >= ${start.toISOString()}::timestamptz and created_at < ${end.toISOString()}::timestamptz)::int as raised,
        count(*) filter (where raised_by is not null
          and created_at >= ${start.toISOString()}::timestamptz and created_at < ${end.toISOString()}::timestamptz)::int as by_hand,
        count(*) filter (where closed_at >= ${start.toISOString()}::timestamptz and closed_at < ${end.toISOString()}::timestamptz)::int as closed,
        count(*) filter (where status <> 'closed')::int as open_now,
        percentile_cont(0.5) within group (order by extract(epoch from acknowledged_at - created_at))
          filter (where acknowledged_at is not null
            and created_at >= ${start.toISOString()}::timestamptz and created_at < ${end.toISOString()}::timestamptz) as median_ack_s
      from escalations
      where school_id = ${schoolId}
      group by kind`)
  ).rows;
  const escalationFigures = ESCALATION_KINDS.map((kind): EscalationFigures => {
    const row = escalationRows.find((r) => r.kind === kind);
    return {
      kind,
      raised: row?.raised ?? 0,
      raisedByHand: row?.by_hand ?? 0,
      closed: row?.closed ?? 0,
      openNow: row?.open_now ?? 0,
      medianSecondsToAcknowledge: num(row?.median_ack_s),
    };
  });

  const accounts = await db.select().from(socialAccounts).where(eq(socialAccounts.schoolId, schoolId));
  const bandsFor = (accountId: string | null) => {
    const bands = emptyBands();
    for (const r of bandRows) if (r.account_id === accountId) bands[r.band] = r.n;
    return bands;
  };
  let workingDays = 0;
  for (let d = first; d <= last; d = d.plus({ days: 1 })) if (isWorkingDate(d, calendar)) workingDays += 1;

  const offensiveFlags = await offensiveFlagFigures(db, school, calendar, { start, end }, now);

  return {
    schoolId,
    schoolName: school.name,
    offensiveFlags,
    from,
    to,
    generatedAt: now.toISOString(),
    school: { ...figures(figureRows.find((r) => r.account_id === null)), open: bandsFor(null) },
    accounts: accounts
      .filter((a) => a.status === 'active' || figureRows.some((r) => r.account_id === a.id))
      .map((a) => ({
        accountId: a.id,
        label: accountLabel(a),
        ...figures(figureRows.find((r) => r.account_id === a.id)),
        open: bandsFor(a.id),
      })),
    responders: responderRows.map((r) => {
      const {
        breaches: _b,
        due: _d,
        answered: _a,
        awaitingFullAnswer: _w,
        followUpOverdue: _f,
        ...rest
      } = figures(r);
      return { userId: r.actor_id, name: r.name, ...rest };
    }),
    coverageGaps,
    workingDays,
    closuresWithoutMonitor: closuresWithoutMonitor(school, calendar, from, to),
    escalations: escalationFigures,
  };
}
