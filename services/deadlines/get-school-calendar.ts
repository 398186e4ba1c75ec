import { eq } from 'drizzle-orm';
import { schools } from '../../db/schema/index.js';
import { assertRole } from '../core/authorization.js';
import { queryable, type ServiceContext } from '../core/service-context.js';
import { notFound } from '../core/service-error.js';
import type { SchoolCalendar } from './school-calendar.js';
import { schoolCalendarOf } from './school-calendar-of.js';

/** The school's calendar as the deadline rule reads it; for those who may change it. */
export async function getSchoolCalendar(ctx: ServiceContext, schoolId: string): Promise<SchoolCalendar> {
  assertRole(ctx, schoolId, ['senior_leader', 'trust_admin'], "see the school's calendar");
  const [school] = await queryable(ctx)
    .select({ calendar: schools.calendar, timeZone: schools.timeZone })
    .from(schools)
    .where(eq(schools.id, schoolId));
  if (!school) throw notFound('That school');
  return schoolCalendarOf(school);
}
