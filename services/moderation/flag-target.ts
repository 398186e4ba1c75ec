import { inArray } from 'drizzle-orm';
import type { Queryable } from '../../db/client.js';
import { schools } from '../../db/schema/index.js';
import { replyPolicyOf } from '../comments/reply-policy.js';
import type { SchoolCalendar } from '../deadlines/school-calendar.js';
import { schoolCalendarOf } from '../deadlines/school-calendar-of.js';
import { calendarDateOf, isWorkingDate, MAX_SEARCH_DAYS, wallClock } from '../deadlines/working-days.js';

/**
 * The instant `minutes` of working time after `from`: time inside the school's working day on its
 * working days (weekends, bank holidays and closures skipped). A flag raised at 17:55 with a
 * one-hour target at a school whose day ends at 18:00 is due at 08:55 the next working morning.
 */
export function addWorkingMinutes(from: Date, minutes: number, calendar: SchoolCalendar): Date {
  let remaining = minutes * 60_000;
  let at = from.getTime();
  let day = calendarDateOf(from, calendar.timeZone);
  for (let i = 0; i <= MAX_SEARCH_DAYS; i += 1, day = day.plus({ days: 1 })) {
    if (!isWorkingDate(day, calendar)) continue;
    const start = wallClock(day, calendar.workdayStart, calendar.timeZone).toMillis();
    const end = wallClock(day, calendar.workdayEnd, calendar.timeZone).toMillis();
    if (at >= end) continue;
    const begin = Math.max(at, start);
    if (begin + remaining <= end) return new Date(begin + remaining);
    remaining -= end - begin;
    at = end;
  }
  throw new RangeError('the school calendar has no working time in the next year');
}

export interface FlagTarget {
  minutes: number;
  handleBy: (flaggedAt: Date) => Date;
}

/** Each school's offensive-flag target (P3): its setting, on its calendar. */
export async function flagTargetsOf(
  db: Queryable,
  schoolIds: readonly string[],
): Promise<Map<string, FlagTarget>> {
  const out = new Map<string, FlagTarget>();
  if (schoolIds.length === 0) return out;
  const rows = await db
    .select({
      id: schools.id,
      calendar: schools.calendar,
      timeZone: schools.timeZone,
      replyPolicy: schools.replyPolicy,
    })
    .from(schools)
    .where(inArray(schools.id, [...new Set(schoolIds)]));
  for (const row of rows) {
    const calendar = schoolCalendarOf(row);
    const minutes = replyPolicyOf(row.replyPolicy).offensiveFlagTargetMinutes;
    out.set(row.id, { minutes, handleBy: (flaggedAt) => addWorkingMinutes(flaggedAt, minutes, calendar) });
  }
  return out;
}
