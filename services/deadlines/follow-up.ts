import { DateTime } from 'luxon';
import type { School } from '../../db/schema/index.js';
import { schoolCalendarOf } from './school-calendar-of.js';
import { calendarDateOf, nextWorkingDate, wallClock } from './working-days.js';

/** Most working days a school may give itself to answer in full after a holding reply. */
export const MAX_FOLLOW_UP_WORKING_DAYS = 30;

/**
 * P2: when the full answer to a comment acknowledged at `at` is due: the same time of day
 * `followUpWorkingDays` working days later, in the school's calendar (closures and bank holidays
 * are not working days).
 */
export function followUpDueAt(
  school: Pick<School, 'calendar' | 'timeZone' | 'followUpWorkingDays'>,
  at: Date,
): Date {
  const calendar = schoolCalendarOf(school);
  let day = calendarDateOf(at, calendar.timeZone);
  for (let i = 0; i < Math.max(1, school.followUpWorkingDays); i++) day = nextWorkingDate(day, calendar);
  const local = DateTime.fromJSDate(at, { zone: calendar.timeZone });
  return wallClock(day, local.toFormat('HH:mm'), calendar.timeZone).toJSDate();
}
