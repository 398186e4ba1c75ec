import { DateTime } from 'luxon';
import { isBankHoliday } from './bank-holidays.js';
import type { SchoolCalendar } from './school-calendar.js';

/** How far ahead the next working day is looked for before the calendar is declared unusable. */
export const MAX_SEARCH_DAYS = 366;

/** A calendar that yields no deadline (every day closed, or a window that never fits). */
export class DeadlineCalendarError extends Error {
  readonly code = 'INVALID_INPUT' as const;
  override readonly name = 'DeadlineCalendarError';
}

/**
 * A calendar date with no zone, held as a UTC DateTime at midnight so that stepping a day is
 * plain date arithmetic and never meets a daylight-saving gap.
 */
export type CalendarDate = DateTime<true>;

const DATE_MEMO_LIMIT = 10_000;
const dateMemo = new Map<string, CalendarDate>();

/**
 * The school's calendar date at an instant. Memoised per zone and minute (no time zone since 1972
 * moves its date line at anything but a whole minute): working out a zone's offset costs luxon an
 * Intl call, and a batch of comments received together, or a backlog whose clock starts at the
 * account's activation, asks for the same minute again and again.
 */
export function calendarDateOf(instant: Date, timeZone: string): CalendarDate {
  const ms = instant.getTime();
  const key = Number.isFinite(ms) ? `${timeZone}|${Math.floor(ms / 60_000)}` : '';
  const known = key ? dateMemo.get(key) : undefined;
  if (known) return known;
  const local = DateTime.fromJSDate(instant, { zone: timeZone });
  if (!local.isValid) throw new RangeError(`invalid instant or time zone: ${String(instant)} ${timeZone}`);
  const date = DateTime.utc(local.year, local.month, local.day);
  if (!date.isValid) throw new RangeError(`invalid date: ${local.toISO()}`);
  if (dateMemo.size >= DATE_MEMO_LIMIT) dateMemo.clear();
  dateMemo.set(key, date);
  return date;
}

const wallClockMemo = new Map<string, DateTime<true>>();

/** The instant at which the wall clock in `timeZone` reads `hhmm` on `date` (memoised). */
export function wallClock(date: CalendarDate, hhmm: string, timeZone: string): DateTime<true> {
  const key = `${timeZone}|${date.toMillis()}|${hhmm}`;
  const known = wallClockMemo.get(key);
  if (known) return known;
  const [hour, minute] = hhmm.split(':').map(Number);
  // luxon moves a time that the clocks skip forward by the gap, so 01:30 on a spring-forward
  // night becomes 02:30; a time that happens twice is taken as luxon resolves it (in London,
  // the second, GMT, occurrence).
  const dt = DateTime.fromObject(
    { year: date.year, month: date.month, day: date.day, hour: hour ?? 0, minute: minute ?? 0 },
    { zone: timeZone },
  );
  if (!dt.isValid) throw new RangeError(`cannot place ${hhmm} on ${date.toISODate()} in ${timeZone}`);
  if (wallClockMemo.size >= DATE_MEMO_LIMIT) wallClockMemo.clear();
  wallClockMemo.set(key, dt);
  return dt;
}

function isClosed(isoDate: string, calendar: SchoolCalendar): boolean {
  for (const c of calendar.closures) {
    if (c.from <= isoDate && isoDate <= c.to) return true;
  }
  return false;
}

/** A working day: a working weekday, not a bank holiday (when those count as weekend), not closed. */
export function isWorkingDate(date: CalendarDate, calendar: SchoolCalendar): boolean {
  if (!calendar.workingDays.includes(date.weekday)) return false;
  const iso = date.toISODate();
  if (calendar.holidaysCountAsWeekend && isBankHoliday(iso, calendar.region)) return false;
  return !isClosed(iso, calendar);
}

/** Whether the school's day containing `date` (in the school's zone) is a working day. */
export function isWorkingDay(date: Date, calendar: SchoolCalendar): boolean {
  return isWorkingDate(calendarDateOf(date, calendar.timeZone), calendar);
}

/** The first working day strictly after `date`. */
export function nextWorkingDate(date: CalendarDate, calendar: SchoolCalendar): CalendarDate {
  let day = date;
  for (let i = 0; i < MAX_SEARCH_DAYS; i++) {
    day = day.plus({ days: 1 });
    if (isWorkingDate(day, calendar)) return day;
  }
  throw new DeadlineCalendarError(
    `no working day in the ${MAX_SEARCH_DAYS} days after ${date.toISODate()}: ` +
      `check the calendar's working days (${calendar.workingDays.join(',')}) and its ${calendar.closures.length} closure(s)`,
  );
}
