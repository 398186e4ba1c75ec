import type { School } from '../../db/schema/index.js';
import { parseSchoolCalendar, type SchoolCalendar } from './school-calendar.js';

/** The school's calendar as the deadline rule reads it: its stored settings in its own zone. */
export function schoolCalendarOf(school: Pick<School, 'calendar' | 'timeZone'>): SchoolCalendar {
  return parseSchoolCalendar({ ...school.calendar, timeZone: school.timeZone });
}
