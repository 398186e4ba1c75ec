import type { SchoolCalendar } from './school-calendar.js';
import {
  type CalendarDate,
  calendarDateOf,
  DeadlineCalendarError,
  isWorkingDate,
  MAX_SEARCH_DAYS,
  nextWorkingDate,
  wallClock,
} from './working-days.js';

// Rule P2 (policy 002 §5 Monitoring): "responded to within 24 hours (or on the next working day
// if received at a weekend) even if the response is only to acknowledge receipt".

export const RULE_ID = 'p2-v1';

/** Days scanned for working time in 'working_hours' mode before giving up. */
export const MAX_WORKING_HOURS_SEARCH_DAYS = 2 * MAX_SEARCH_DAYS;

export interface Deadline {
  deadline: Date;
  warnAt: Date;
  /** Names the rule and settings that produced the deadline; stored beside it. */
  ruleVersion: string;
  receivedOnWorkingDay: boolean;
}

const HOUR_MS = 3_600_000;

const REGION_CODE: Record<SchoolCalendar['region'], string> = {
  'england-and-wales': 'ew',
  scotland: 'sc',
  'northern-ireland': 'ni',
  none: 'none',
};

/** e.g. 'p2-v1:elapsed:24h:hol=weekend:ew:wd=12345:0800-1700:warn=0.75' */
export function ruleVersionOf(calendar: SchoolCalendar): string {
  const hol = calendar.holidaysCountAsWeekend ? 'weekend' : 'workday';
  const days = [...calendar.workingDays].sort((a, b) => a - b).join('');
  const hours = `${calendar.workdayStart.replace(':', '')}-${calendar.workdayEnd.replace(':', '')}`;
  return [
    RULE_ID,
    calendar.mode,
    `${calendar.responseHours}h`,
    `hol=${hol}`,
    REGION_CODE[calendar.region],
    `wd=${days}`,
    hours,
    `warn=${calendar.warnAtFraction}`,
  ].join(':');
}

export function computeDeadline(receivedAt: Date, calendar: SchoolCalendar): Deadline {
  const received = receivedAt.getTime();
  if (!Number.isFinite(received)) throw new RangeError('receivedAt is not a valid date');

  const day = calendarDateOf(receivedAt, calendar.timeZone);
  const receivedOnWorkingDay = isWorkingDate(day, calendar);
  const windowMs = Math.round(calendar.responseHours * HOUR_MS);

  const deadline =
    calendar.mode === 'working_hours'
      ? addWorkingTime(received, day, windowMs, calendar)
      : receivedOnWorkingDay
        ? received + windowMs
        : nextWorkingDayDeadline(day, windowMs, calendar);

  const warnAt = received + Math.floor(calendar.warnAtFraction * (deadline - received));
  return {
    deadline: new Date(deadline),
    warnAt: new Date(warnAt),
    ruleVersion: ruleVersionOf(calendar),
    receivedOnWorkingDay,
  };
}

/**
 * Received on a weekend, bank holiday or closure: the end of the school day on the next working
 * day, in local wall-clock time. A window shorter than that day is counted from the day's first
 * moment instead, so a comment that arrives later never gets an earlier deadline.
 */
function nextWorkingDayDeadline(day: CalendarDate, windowMs: number, calendar: SchoolCalendar): number {
  const next = nextWorkingDate(day, calendar);
  const endOfDay = wallClock(next, calendar.workdayEnd, calendar.timeZone).toMillis();
  const fromMidnight = wallClock(next, '00:00', calendar.timeZone).toMillis() + windowMs;
  return Math.min(endOfDay, fromMidnight);
}

/**
 * Counts `windowMs` of time inside workdayStart–workdayEnd on working days, starting at
 * receipt (or at the next workdayStart when received out of hours). Time is real elapsed time,
 * so a working day that spans a clock change counts the hours that actually pass.
 */
function addWorkingTime(
  received: number,
  firstDay: CalendarDate,
  windowMs: number,
  calendar: SchoolCalendar,
) {
  let remaining = windowMs;
  let day = firstDay;
  for (let i = 0; i < MAX_WORKING_HOURS_SEARCH_DAYS; i++, day = day.plus({ days: 1 })) {
    if (!isWorkingDate(day, calendar)) continue;
    const start = Math.max(received, wallClock(day, calendar.workdayStart, calendar.timeZone).toMillis());
    const end = wallClock(day, calendar.workdayEnd, calendar.timeZone).toMillis();
    if (start >= end) continue;
    if (remaining <= end - start) return start + remaining;
    remaining -= end - start;
  }
  throw new DeadlineCalendarError(
    `${calendar.responseHours} working hours do not fit in the ${MAX_WORKING_HOURS_SEARCH_DAYS} days after ` +
      `${firstDay.toISODate()}: check the calendar's working days (${calendar.workingDays.join(',')}), ` +
      `hours (${calendar.workdayStart}-${calendar.workdayEnd}) and its ${calendar.closures.length} closure(s)`,
  );
}
