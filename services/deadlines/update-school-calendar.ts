import { and, eq, isNull } from 'drizzle-orm';
import type { Transaction } from '../../db/client.js';
import { comments, type School, schools } from '../../db/schema/index.js';
import { emitAudit } from '../audit/emit-audit.js';
import { assertRole } from '../core/authorization.js';
import type { ServiceContext } from '../core/service-context.js';
import { invalidInput, invalidInputFrom, notFound } from '../core/service-error.js';
import { withTransaction } from '../core/with-transaction.js';
import { computeDeadline } from './compute-deadline.js';
import type { DeadlineTimer, DeadlineTimers } from './deadline-timers.js';
import { type SchoolCalendar, schoolCalendarSchema } from './school-calendar.js';
import { schoolCalendarOf } from './school-calendar-of.js';
import { DeadlineCalendarError } from './working-days.js';

export interface UpdateSchoolCalendarResult {
  calendar: SchoolCalendar;
  /** Open comments whose deadline was recomputed under the new calendar. */
  retimed: number;
}

/**
 * Replaces a school's calendar (working days and hours, region, closures, response window, warning
 * share). Open, unbreached comments get deadlines under the new rule in the same transaction, and
 * their timers are moved after commit. Senior leaders and trust admins only.
 */
export async function updateSchoolCalendar(
  ctx: ServiceContext,
  schoolId: string,
  rawCalendar: unknown,
  timers: DeadlineTimers,
): Promise<UpdateSchoolCalendarResult> {
  assertRole(ctx, schoolId, ['senior_leader', 'trust_admin'], "change the school's calendar");
  const outcome = await withTransaction(ctx, async (tx) => {
    const [school] = await tx.select().from(schools).where(eq(schools.id, schoolId)).for('update');
    if (!school) throw notFound('That school');
    const parsed = schoolCalendarSchema.safeParse({
      timeZone: school.timeZone,
      ...(rawCalendar as Record<string, unknown>),
    });
    if (!parsed.success) throw invalidInputFrom(parsed.error);
    const calendar = parsed.data;
    const { timeZone, ...stored } = calendar;

    const retimed = await retimeOpenComments(tx, schoolId, calendar);
    await tx.update(schools).set({ calendar: stored, timeZone }).where(eq(schools.id, schoolId));
    await emitAudit(tx, ctx, {
      action: 'school.calendar_changed',
      schoolId,
      subject: { type: 'school', id: schoolId, label: school.name },
      details: { before: describe(school), after: calendar, retimed: retimed.length },
    });
    return { calendar, retimed };
  });
  if (outcome.retimed.length) {
    // Replaced, not added: the comments' timers already there go first.
    await timers.remove(outcome.retimed.map((t) => t.commentId));
    await timers.schedule(outcome.retimed);
  }
  return { calendar: outcome.calendar, retimed: outcome.retimed.length };
}

function describe(school: School): Record<string, unknown> {
  try {
    return schoolCalendarOf(school);
  } catch {
    return { ...school.calendar, timeZone: school.timeZone };
  }
}

async function retimeOpenComments(
  tx: Transaction,
  schoolId: string,
  calendar: SchoolCalendar,
): Promise<DeadlineTimer[]> {
  const open = await tx
    .select({
      id: comments.id,
      postedAt: comments.postedAt,
      clockStartedAt: comments.deadlineClockStartedAt,
      warnedAt: comments.warnedAt,
    })
    .from(comments)
    .where(and(eq(comments.schoolId, schoolId), eq(comments.status, 'open'), isNull(comments.breachedAt)))
    .for('update');
  const timers: DeadlineTimer[] = [];
  for (const comment of open) {
    let deadline: ReturnType<typeof computeDeadline>;
    try {
      // Keeps the clock start chosen at ingestion (a backlog comment counts from activation).
      deadline = computeDeadline(comment.clockStartedAt ?? comment.postedAt, calendar);
    } catch (error) {
      if (error instanceof DeadlineCalendarError) throw invalidInput(error.message);
      throw error;
    }
    await tx
      .update(comments)
      .set({
        deadlineAt: deadline.deadline,
        warnAt: deadline.warnAt,
        deadlineRuleVersion: deadline.ruleVersion,
      })
      .where(eq(comments.id, comment.id));
    // Its next timer: the warning, unless it has been warned already (then the breach).
    timers.push({
      commentId: comment.id,
      warnAt: comment.warnedAt ? null : deadline.warnAt,
      deadlineAt: deadline.deadline,
    });
  }
  return timers;
}
