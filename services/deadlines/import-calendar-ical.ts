import { eq } from 'drizzle-orm';
import { schools } from '../../db/schema/index.js';
import { assertRole } from '../core/authorization.js';
import type { ServiceContext } from '../core/service-context.js';
import { invalidInput, notFound } from '../core/service-error.js';
import type { DeadlineTimers } from './deadline-timers.js';
import { IcsParseError, parseClosuresIcs, type SkippedEvent } from './ical-closures.js';
import type { Closure } from './school-calendar.js';
import { schoolCalendarOf } from './school-calendar-of.js';
import { updateSchoolCalendar } from './update-school-calendar.js';

export interface ImportCalendarIcalResult {
  imported: number;
  skipped: SkippedEvent[];
  closures: number;
  retimed: number;
}

/**
 * Adds the closures in an iCalendar export (INSET days, Christmas closure) to the school's
 * calendar; closures already there are kept, duplicates are not added twice.
 */
export async function importCalendarIcal(
  ctx: ServiceContext,
  schoolId: string,
  icsText: string,
  timers: DeadlineTimers,
): Promise<ImportCalendarIcalResult> {
  assertRole(ctx, schoolId, ['senior_leader', 'trust_admin'], "change the school's calendar");
  const [school] = await ctx.db.select().from(schools).where(eq(schools.id, schoolId));
  if (!school) throw notFound('That school');
  const current = schoolCalendarOf(school);
  let parsed: ReturnType<typeof parseClosuresIcs>;
  try {
    parsed = parseClosuresIcs(icsText, { timeZone: current.timeZone });
  } catch (error) {
    if (error instanceof IcsParseError) throw invalidInput(`The iCalendar file: ${error.message}`);
    throw error;
  }
  const key = (c: Closure) => `${c.from}|${c.to}|${c.label}`;
  const seen = new Set(current.closures.map(key));
  const added = parsed.closures.filter((c) => !seen.has(key(c)) && seen.add(key(c)));
  const closures = [...current.closures, ...added].sort((a, b) => a.from.localeCompare(b.from));
  const result = await updateSchoolCalendar(ctx, schoolId, { ...current, closures }, timers);
  return {
    imported: added.length,
    skipped: parsed.skipped,
    closures: closures.length,
    retimed: result.retimed,
  };
}
