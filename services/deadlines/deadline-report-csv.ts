import { csvRow } from '../core/csv.js';
import type { DeadlineReport, OpenByBand, ResponseFigures } from './deadline-report.js';

const HEADER = [
  'section',
  'id',
  'label',
  'date',
  'comments',
  'due',
  'responded',
  'responded_in_time',
  'share_in_time',
  'median_seconds_to_first_response',
  'p90_seconds_to_first_response',
  'breaches',
  'open_breached',
  'open_under_25pct',
  'open_under_50pct',
  'open_ok',
  'comments_received',
  'answered',
  'awaiting_full_answer',
  'follow_up_overdue',
  'flag_target_minutes',
  'flags_handled',
  'flags_handled_in_time',
  'flags_open_overdue',
];

function row(
  section: string,
  id: string,
  label: string,
  f: Partial<ResponseFigures>,
  open?: OpenByBand,
  extra: {
    date?: string;
    received?: number;
    to?: string;
    flags?: DeadlineReport['offensiveFlags'];
  } = {},
): string {
  // The shared writer quotes cells and defuses a leading =, +, -, @, tab or CR (a name, a label).
  return csvRow([
    section,
    id,
    label,
    extra.date,
    f.comments,
    f.due,
    f.responded,
    f.respondedInTime,
    f.shareInTime === null || f.shareInTime === undefined ? null : f.shareInTime.toFixed(4),
    f.medianSecondsToFirstResponse,
    f.p90SecondsToFirstResponse,
    f.breaches,
    open?.breached,
    open?.under_25pct,
    open?.under_50pct,
    open?.ok,
    extra.received,
    f.answered,
    f.awaitingFullAnswer,
    f.followUpOverdue,
    extra.flags?.targetMinutes,
    extra.flags?.handled,
    extra.flags?.handledInTime,
    extra.flags?.openOverdue,
  ]);
}

/**
 * One CSV with a section column: school, account, responder, coverage_gap, closure_without_monitor,
 * offensive_flags (P3: flags raised in the range, in `comments`, against the handling target).
 */
export function deadlineReportCsv(report: DeadlineReport): string {
  const lines = [HEADER.join(',')];
  lines.push(row('school', report.schoolId, report.schoolName, report.school, report.school.open));
  for (const a of report.accounts) lines.push(row('account', a.accountId, a.label, a, a.open));
  for (const r of report.responders) lines.push(row('responder', r.userId, r.name, r));
  for (const g of report.coverageGaps) {
    lines.push(
      row('coverage_gap', g.accountId, g.label, {}, undefined, {
        date: g.date,
        received: g.commentsReceived,
      }),
    );
  }
  for (const c of report.closuresWithoutMonitor) {
    lines.push(
      row('closure_without_monitor', '', `${c.label} (to ${c.to})`, {}, undefined, { date: c.from }),
    );
  }
  const flags = report.offensiveFlags;
  lines.push(
    row(
      'offensive_flags',
      report.schoolId,
      `Offensive flags, handled within ${flags.targetMinutes} working minutes`,
      { comments: flags.flagged, shareInTime: flags.shareInTime },
      undefined,
      { flags },
    ),
  );
  return `${lines.join('\r\n')}\r\n`;
}
