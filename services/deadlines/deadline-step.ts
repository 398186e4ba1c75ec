import { emitAudit } from '../audit/emit-audit.js';
import { commentLabel } from '../comments/comment-label.js';
import { metrics } from '../core/metrics.js';
import type { ProcessingStep } from '../ingestion/processing-pipeline.js';
import { batchAccount, batchSchool } from '../ingestion/processing-pipeline.js';
import { accountAdminIds, notifyUsers, schoolRoleUserIds } from '../notifications/notify-users.js';
import { breachNotice } from './breach-deadline.js';
import { computeDeadline, type Deadline } from './compute-deadline.js';
import { deadlineClockStart } from './deadline-clock-start.js';
import type { DeadlineTimers } from './deadline-timers.js';
import { DEFAULT_SCHOOL_CALENDAR, parseSchoolCalendar, type SchoolCalendar } from './school-calendar.js';
import { schoolCalendarOf } from './school-calendar-of.js';
import { warningNotice } from './warn-deadline.js';

/**
 * The `process` step that gives a comment its response deadline (P2), counted from when it was
 * posted or, for a comment posted before its account went active, from the activation; after
 * commit sets its warning and breach timers. A comment already past its warning or deadline when
 * processed (a backlog) is warned or breached at once, in the batch's transaction, as the sweep
 * would: breached only, not warned first. A comment gets one timer at a time: the warning, whose
 * job places the breach timer. `timers` is null where no queue is at hand: the sweep
 * then warns and breaches within a minute of the due time.
 */
export function createDeadlineStep(timers: DeadlineTimers | null): ProcessingStep {
  return {
    name: 'deadline',
    async run(tx, ctx, state) {
      const { comment } = state;
      // Read and parsed once per batch: a poll page's comments share their school.
      type Parsed = { calendar: SchoolCalendar | null; calendarError: string } | null;
      const school = await state.batch.memo<Parsed>(`deadline-step:school:${comment.schoolId}`, async () => {
        const row = await batchSchool(tx, state);
        if (!row) return null;
        try {
          return { calendar: schoolCalendarOf(row), calendarError: '' };
        } catch (error) {
          return { calendar: null, calendarError: (error as Error).message };
        }
      });
      if (!school) throw new Error(`school ${comment.schoolId} of comment ${comment.id} is missing`);
      const account = await batchAccount(tx, state);
      const activatedAt = account?.activatedAt ?? null;
      const clock = deadlineClockStart(comment.postedAt, activatedAt);
      let deadline: Deadline;
      let calendarError: string | undefined;
      try {
        if (!school.calendar) throw new Error(school.calendarError);
        deadline = computeDeadline(clock.at, school.calendar);
      } catch (error) {
        // A calendar that cannot be read must not leave a comment without a deadline: the policy's
        // literal reading applies until the school fixes it, and the audit entry says so.
        calendarError = (error as Error).message;
        const fallback = parseSchoolCalendar({ ...DEFAULT_SCHOOL_CALENDAR, timeZone: 'Europe/London' });
        deadline = computeDeadline(clock.at, fallback);
      }
      state.updates.deadlineAt = deadline.deadline;
      state.updates.warnAt = deadline.warnAt;
      state.updates.deadlineRuleVersion = deadline.ruleVersion;
      state.updates.deadlineClockStartedAt = clock.at;
      await emitAudit(tx, ctx, {
        action: 'comment.deadline_set',
        schoolId: comment.schoolId,
        subject: { type: 'comment', id: comment.id, label: `Comment ${comment.externalId}` },
        details: {
          receivedAt: comment.postedAt.toISOString(),
          clockStartedAt: clock.at.toISOString(),
          clockStartReason: clock.reason,
          deadlineAt: deadline.deadline.toISOString(),
          warnAt: deadline.warnAt.toISOString(),
          ruleVersion: deadline.ruleVersion,
          ...(calendarError ? { calendarError } : {}),
        },
      });
      // A comment already due when it is processed (a backlog: first connection, after an outage) is
      // warned or breached here, in this transaction, as the sweep would: a timer per comment would
      // be one more transaction each, for a whole backlog at once.
      const now = new Date();
      const label = account ? commentLabel(comment, account) : `Comment ${comment.externalId}`;
      const due = { ...comment, ...state.updates };
      let warnTimer: Date | null = deadline.warnAt;
      let breachTimer: Date | null = deadline.deadline;
      if (comment.status === 'open' && !comment.breachedAt && deadline.deadline <= now) {
        state.updates.breachedAt = now;
        breachTimer = null;
        warnTimer = null;
        const notice = breachNotice(due, label);
        const recipients = await state.batch.memo(
          `deadline-step:breach-recipients:${comment.accountId}`,
          async () => [
            ...(await accountAdminIds(tx, comment.accountId)),
            ...(await schoolRoleUserIds(tx, comment.schoolId, ['senior_leader'])),
          ],
        );
        await emitAudit(tx, ctx, notice.audit);
        await notifyUsers(tx, { ...notice.notification, userIds: recipients });
        state.afterCommit.push(async () => metrics.deadlineBreaches.inc());
      } else if (
        comment.status === 'open' &&
        !comment.warnedAt &&
        !comment.breachedAt &&
        deadline.warnAt <= now
      ) {
        state.updates.warnedAt = now;
        warnTimer = null;
        const notice = warningNotice(due, label);
        const comms = await state.batch.memo(`deadline-step:warning-recipients:${comment.schoolId}`, () =>
          schoolRoleUserIds(tx, comment.schoolId, ['comms']),
        );
        await emitAudit(tx, ctx, notice.audit);
        await notifyUsers(tx, {
          ...notice.notification,
          userIds: comment.assigneeId ? [...comms, comment.assigneeId] : comms,
        });
        state.afterCommit.push(async () => metrics.deadlineWarnings.inc());
      }
      if (timers && (warnTimer || breachTimer)) {
        const timer = { commentId: comment.id, warnAt: warnTimer, deadlineAt: breachTimer };
        // One call for the batch's timers after commit: each comment's next one (its warning, or
        // its breach if warned here). Processing runs once per comment, so it has none to replace.
        state.batch.collectAfterCommit('deadline-step:timers', timer, (all) => timers.schedule(all));
      }
    },
  };
}
