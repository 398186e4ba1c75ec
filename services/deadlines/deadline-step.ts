import { eq } from 'drizzle-orm';
import { schools } from '../../db/schema/index.js';
import { emitAudit } from '../audit/emit-audit.js';
import type { ProcessingStep } from '../ingestion/processing-pipeline.js';
import { computeDeadline, type Deadline } from './compute-deadline.js';
import type { DeadlineTimers } from './deadline-timers.js';
import { DEFAULT_SCHOOL_CALENDAR, parseSchoolCalendar } from './school-calendar.js';
import { schoolCalendarOf } from './school-calendar-of.js';

/**
 * The `process` step that gives a comment its response deadline (P2), counted from when it was
 * posted, and after commit sets its warning and breach timers. `timers` is null where no queue is
 * at hand: the sweep then warns and breaches within a minute of the due time.
 */
export function createDeadlineStep(timers: DeadlineTimers | null): ProcessingStep {
  return {
    name: 'deadline',
    async run(tx, ctx, state) {
      const { comment } = state;
      const [school] = await tx.select().from(schools).where(eq(schools.id, comment.schoolId));
      if (!school) throw new Error(`school ${comment.schoolId} of comment ${comment.id} is missing`);
      let deadline: Deadline;
      let calendarError: string | undefined;
      try {
        deadline = computeDeadline(comment.postedAt, schoolCalendarOf(school));
      } catch (error) {
        // A calendar that cannot be read must not leave a comment without a deadline: the policy's
        // literal reading applies until the school fixes it, and the audit entry says so.
        calendarError = (error as Error).message;
        const fallback = parseSchoolCalendar({ ...DEFAULT_SCHOOL_CALENDAR, timeZone: 'Europe/London' });
        deadline = computeDeadline(comment.postedAt, fallback);
      }
      state.updates.deadlineAt = deadline.deadline;
      state.updates.warnAt = deadline.warnAt;
      state.updates.deadlineRuleVersion = deadline.ruleVersion;
      await emitAudit(tx, ctx, {
        action: 'comment.deadline_set',
        schoolId: comment.schoolId,
        subject: { type: 'comment', id: comment.id, label: `Comment ${comment.externalId}` },
        details: {
          receivedAt: comment.postedAt.toISOString(),
          deadlineAt: deadline.deadline.toISOString(),
          warnAt: deadline.warnAt.toISOString(),
          ruleVersion: deadline.ruleVersion,
          ...(calendarError ? { calendarError } : {}),
        },
      });
      if (timers) {
        const timer = { commentId: comment.id, warnAt: deadline.warnAt, deadlineAt: deadline.deadline };
        state.afterCommit.push(() => timers.schedule([timer]));
      }
    },
  };
}
