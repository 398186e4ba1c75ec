import { eq, sql } from 'drizzle-orm';
import { DateTime } from 'luxon';
import type { Database, Transaction } from '../../db/client.js';
import { type School, type SocialAccount, socialAccounts } from '../../db/schema/index.js';
import { accountLabel } from '../accounts/account-label.js';
import type { SchoolCalendar } from './school-calendar.js';
import { type CalendarDate, isWorkingDate } from './working-days.js';

/** One working day on which a live account had no staff action on any of its comments (P1). */
export interface UntriagedDay {
  accountId: string;
  label: string;
  date: string;
  commentsReceived: number;
  /** The account's status now: a suspended or retired account still owes the days it was live. */
  accountStatus: string;
}

/** A span of time an account was live (activated and not yet suspended or retired); `to` null: still live. */
export interface LiveSpan {
  from: Date;
  to: Date | null;
}

/**
 * When each account was live, from its audited activations, suspensions and retirements. An
 * account with no such history (created before it was audited) counts as live from its activation
 * (or creation) while it is active; one whose history starts with a suspension or retirement, from
 * its activation (or creation) until then.
 */
export async function liveSpans(
  db: Database | Transaction,
  accounts: SocialAccount[],
): Promise<Map<string, LiveSpan[]>> {
  const spans = new Map<string, LiveSpan[]>();
  if (accounts.length === 0) return spans;
  const rows = (
    await db.execute<{ subject_id: string; action: string; at: string }>(sql`
      select subject_id, action, at from audit_entries
      where subject_type = 'account'
        and action in ('account.activated', 'account.suspended', 'account.retired')
        and subject_id in (${sql.join(
          accounts.map((a) => sql`${a.id}`),
          sql`, `,
        )})
      order by seq`)
  ).rows;
  for (const account of accounts) {
    const events = rows.filter((r) => r.subject_id === account.id);
    const list: LiveSpan[] = [];
    if (events.length === 0) {
      if (account.status === 'active')
        list.push({ from: account.activatedAt ?? account.createdAt, to: null });
    } else {
      // History that begins with a suspension or retirement: live from activation (or creation) until then.
      let open: Date | null =
        events[0]?.action === 'account.activated' ? null : (account.activatedAt ?? account.createdAt);
      for (const e of events) {
        const at = new Date(e.at);
        if (e.action === 'account.activated') open ??= at;
        else if (open) {
          list.push({ from: open, to: at });
          open = null;
        }
      }
      if (open) list.push({ from: open, to: null });
    }
    spans.set(account.id, list);
  }
  return spans;
}

/**
 * Working days in [first, last] (the school's calendar dates) on which an account was live for
 * some of the day and nobody took any staff action on its comments: a response other than an
 * internal "seen" (a reply, a holding reply, an offline contact, a close with reason), a moderation
 * action proposed by a person, an escalation raised by hand or acknowledged or closed, or a
 * correction of the classifier's flag.
 */
export async function findUntriagedDays(
  db: Database | Transaction,
  school: Pick<School, 'id'>,
  calendar: SchoolCalendar,
  first: CalendarDate,
  last: CalendarDate,
): Promise<UntriagedDay[]> {
  const zone = calendar.timeZone;
  const start = DateTime.fromISO(first.toISODate(), { zone }).startOf('day').toJSDate().toISOString();
  const end = DateTime.fromISO(last.toISODate(), { zone })
    .plus({ days: 1 })
    .startOf('day')
    .toJSDate()
    .toISOString();
  const day = (col: string) =>
    sql.raw(`to_char(${col} at time zone '${zone.replace(/'/g, "''")}', 'YYYY-MM-DD')`);
  const inRange = (col: string) =>
    sql`${sql.raw(col)} >= ${start}::timestamptz and ${sql.raw(col)} < ${end}::timestamptz`;
  const activityRows = (
    await db.execute<{ account_id: string; day: string; triaged: number; received: number }>(sql`
      select account_id, day, sum(triaged)::int as triaged, sum(received)::int as received from (
        select c.account_id, ${day('r.created_at')} as day, 1 as triaged, 0 as received
        from responses r join comments c on c.id = r.comment_id
        where r.school_id = ${school.id} and r.kind <> 'seen' and ${inRange('r.created_at')}
        union all
        select m.account_id, ${day('m.created_at')}, 1, 0 from moderation_actions m
        where m.school_id = ${school.id} and not m.system and m.proposed_by is not null and ${inRange('m.created_at')}
        union all
        select c.account_id, ${day('e.created_at')}, 1, 0 from escalations e join comments c on c.id = e.comment_id
        where e.school_id = ${school.id} and e.raised_by is not null and ${inRange('e.created_at')}
        union all
        select c.account_id, ${day('e.acknowledged_at')}, 1, 0 from escalations e join comments c on c.id = e.comment_id
        where e.school_id = ${school.id} and e.acknowledged_by is not null and ${inRange('e.acknowledged_at')}
        union all
        select c.account_id, ${day('e.closed_at')}, 1, 0 from escalations e join comments c on c.id = e.comment_id
        where e.school_id = ${school.id} and e.closed_by is not null and ${inRange('e.closed_at')}
        union all
        select c.account_id, ${day('k.created_at')}, 1, 0 from classifier_corrections k join comments c on c.id = k.comment_id
        where k.school_id = ${school.id} and ${inRange('k.created_at')}
        union all
        select account_id, ${day('posted_at')}, 0, 1 from comments
        where school_id = ${school.id} and ${inRange('posted_at')}
      ) activity
      group by account_id, day`)
  ).rows;
  const activity = new Map(activityRows.map((r) => [`${r.account_id}|${r.day}`, r]));
  const accounts = await db.select().from(socialAccounts).where(eq(socialAccounts.schoolId, school.id));
  const spans = await liveSpans(db, accounts);
  const gaps: UntriagedDay[] = [];
  for (let d = first; d <= last; d = d.plus({ days: 1 })) {
    if (!isWorkingDate(d, calendar)) continue;
    const date = d.toISODate();
    const dayStart = DateTime.fromISO(date, { zone }).startOf('day').toJSDate();
    const dayEnd = DateTime.fromISO(date, { zone }).plus({ days: 1 }).startOf('day').toJSDate();
    for (const account of accounts) {
      const live = (spans.get(account.id) ?? []).some((s) => s.from < dayEnd && (!s.to || s.to > dayStart));
      if (!live) continue;
      const a = activity.get(`${account.id}|${date}`);
      if (a && a.triaged > 0) continue;
      gaps.push({
        accountId: account.id,
        label: accountLabel(account),
        date,
        commentsReceived: a?.received ?? 0,
        accountStatus: account.status,
      });
    }
  }
  return gaps;
}
