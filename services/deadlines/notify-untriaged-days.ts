import { DateTime } from 'luxon';
import { schools, untriagedDays } from '../../db/schema/index.js';
import { emitAudit } from '../audit/emit-audit.js';
import type { ServiceContext } from '../core/service-context.js';
import { ServiceError } from '../core/service-error.js';
import { withTransaction } from '../core/with-transaction.js';
import { notifyUsers, schoolRoleUserIds } from '../notifications/notify-users.js';
import { findUntriagedDays } from './monitoring-coverage.js';
import { schoolCalendarOf } from './school-calendar-of.js';
import { type CalendarDate, calendarDateOf, isWorkingDate } from './working-days.js';

/** How far back the morning check looks for the previous working day (a long closure). */
const LOOK_BACK_DAYS = 31;

export interface UntriagedOutcome {
  schoolId: string;
  day: string | null;
  /** Accounts newly found untriaged on that day (each told once). */
  accounts: number;
  notified: number;
}

/**
 * P1, the morning check: on a school's working morning, the previous working day is checked for
 * live accounts nobody triaged (monitoring-coverage.ts); each newly found account-day is recorded
 * once (untriaged_days is unique per account and day, so a rerun tells nobody twice), audited as
 * `monitoring.untriaged_day`, and told to the school's senior leaders in one notification. A school
 * whose today is not a working day is skipped: it is told on its next working morning. System only.
 */
export async function notifyUntriagedDays(
  ctx: ServiceContext,
  now = new Date(),
): Promise<UntriagedOutcome[]> {
  if (ctx.actor.type !== 'system')
    throw new ServiceError('FORBIDDEN', 'The monitoring check runs as a system job');
  const list = await ctx.db.select().from(schools);
  const outcomes: UntriagedOutcome[] = [];
  for (const school of list) {
    if (ctx.schoolIds !== null && !ctx.schoolIds.includes(school.id)) continue;
    const calendar = schoolCalendarOf(school);
    const today = calendarDateOf(now, calendar.timeZone);
    if (!isWorkingDate(today, calendar)) {
      outcomes.push({ schoolId: school.id, day: null, accounts: 0, notified: 0 });
      continue;
    }
    let previous: CalendarDate | null = null;
    for (let i = 1; i <= LOOK_BACK_DAYS; i++) {
      const d = today.minus({ days: i });
      if (isWorkingDate(d, calendar)) {
        previous = d;
        break;
      }
    }
    if (!previous) {
      outcomes.push({ schoolId: school.id, day: null, accounts: 0, notified: 0 });
      continue;
    }
    const day = previous.toISODate();
    const gaps = await findUntriagedDays(ctx.db, school, calendar, previous, previous);
    const outcome = await withTransaction(ctx, async (tx) => {
      if (gaps.length === 0) return { accounts: 0, notified: 0 };
      const inserted = await tx
        .insert(untriagedDays)
        .values(gaps.map((g) => ({ schoolId: school.id, accountId: g.accountId, day })))
        .onConflictDoNothing()
        .returning({ accountId: untriagedDays.accountId });
      const fresh = gaps.filter((g) => inserted.some((r) => r.accountId === g.accountId));
      if (fresh.length === 0) return { accounts: 0, notified: 0 };
      const labels = fresh.map(
        (g) => `${g.label}${g.accountStatus === 'active' ? '' : ` (now ${g.accountStatus})`}`,
      );
      const received = fresh.reduce((n, g) => n + g.commentsReceived, 0);
      await emitAudit(tx, ctx, {
        action: 'monitoring.untriaged_day',
        schoolId: school.id,
        subject: { type: 'school', id: school.id, label: school.name },
        details: {
          day,
          accounts: fresh.map((g) => ({
            accountId: g.accountId,
            label: g.label,
            commentsReceived: g.commentsReceived,
          })),
        },
      });
      const ids = await notifyUsers(tx, {
        schoolId: school.id,
        userIds: await schoolRoleUserIds(tx, school.id, ['senior_leader']),
        event: 'monitoring.untriaged_day',
        urgency: 'normal',
        title: `Nobody triaged ${fresh.length === 1 ? 'an account' : `${fresh.length} accounts`} on ${day}`,
        body: `On ${DateTime.fromISO(day).toFormat('cccc d LLLL')} nobody took any action on comments on ${labels.join(', ')} (${received} comment${received === 1 ? '' : 's'} received). The policy asks for the accounts to be monitored every working day.`,
        link: `/deadlines?schoolId=${school.id}&from=${day}&to=${day}`,
        subject: { type: 'school', id: school.id },
      });
      return { accounts: fresh.length, notified: ids.length };
    });
    outcomes.push({ schoolId: school.id, day, ...outcome });
  }
  return outcomes;
}
