import { escapeHtml } from '@kitajs/html';
import type { DeadlineReport, OpenByBand } from '../../deadlines/deadline-report.js';
import type { TrendPoint } from '../../deadlines/deadline-trend.js';
import { BarChart, LineChart } from '../components/charts.js';
import { EscalationFiguresSection } from '../components/escalation-figures.js';
import { Flash, type FlashMessage } from '../components/page-bits.js';
import type { NavUser } from '../components/site-nav.js';
import { Layout } from '../layout.js';

export interface DeadlinesPageProps {
  user: NavUser;
  csrfToken: string;
  flash?: FlashMessage | null;
  schools: { id: string; name: string }[];
  report: DeadlineReport;
  trend: TrendPoint[];
}

const pct = (share: number | null) => (share === null ? '—' : `${Math.round(share * 100)}%`);
export function duration(seconds: number | null): string {
  if (seconds === null) return '—';
  if (seconds < 3600) return `${Math.max(1, Math.round(seconds / 60))} min`;
  const h = seconds / 3600;
  return h < 48 ? `${h.toFixed(1)} h` : `${(h / 24).toFixed(1)} days`;
}

const BANDS: [keyof OpenByBand, string][] = [
  ['breached', 'Past the deadline'],
  ['under_25pct', 'Under a quarter of the time left'],
  ['under_50pct', 'Under half left'],
  ['ok', 'More than half left'],
];

/** The deadline dashboard (P2, P1): share on time, time to first response, breaches, coverage. */
export function DeadlinesPage(props: DeadlinesPageProps): JSX.Element {
  const r = props.report;
  const csv = `/api/schools/${encodeURIComponent(r.schoolId)}/reports/deadlines?${new URLSearchParams({
    from: r.from,
    to: r.to,
    format: 'csv',
  }).toString()}`;
  const shareChart = BarChart({
    title: 'Share of due comments answered within the deadline, by week',
    points: props.trend.map((p) => ({
      label: p.weekStart.slice(5),
      value: p.shareInTime === null ? null : Math.round(p.shareInTime * 100),
    })),
    max: 100,
    unit: '%',
  });
  const timeChart = LineChart({
    title: 'Median hours to first response, by week',
    points: props.trend.map((p) => ({
      label: p.weekStart.slice(5),
      value:
        p.medianSecondsToFirstResponse === null
          ? null
          : Math.round((p.medianSecondsToFirstResponse / 3600) * 10) / 10,
    })),
    unit: 'h',
  });
  return (
    <Layout title="Deadlines" user={props.user} csrfToken={props.csrfToken} current="deadlines">
      <main id="main">
        <h1>Deadlines</h1>
        {Flash({ flash: props.flash })}
        <form method="get" action="/deadlines" class="filters" aria-label="Choose the report">
          <label>
            School{' '}
            <select name="schoolId">
              {props.schools.map((s) => (
                <option value={s.id} selected={s.id === r.schoolId} safe>
                  {s.name}
                </option>
              ))}
            </select>
          </label>
          <label>
            From <input type="date" name="from" value={r.from} required />
          </label>
          <label>
            To <input type="date" name="to" value={r.to} required />
          </label>
          <button type="submit">Show</button>
          <a class="button-link" href={escapeHtml(csv)} download="">
            Export CSV
          </a>
        </form>
        <p>
          <a href={`/reports/classifier-quality?schoolId=${encodeURIComponent(r.schoolId)}`}>
            Classifier quality: flags confirmed, overturned and missed, by month
          </a>
        </p>
        <h2 safe>{`${r.schoolName}: ${r.from} to ${r.to}`}</h2>
        <ul class="stats">
          <li>
            <span class="stat" id="stat-share" safe>
              {pct(r.school.shareInTime)}
            </span>{' '}
            answered within the deadline ({r.school.respondedInTime} of {r.school.due} due)
          </li>
          <li>
            <span class="stat" safe>
              {duration(r.school.medianSecondsToFirstResponse)}
            </span>{' '}
            median to first response (90th percentile{' '}
            <span safe>{duration(r.school.p90SecondsToFirstResponse)}</span>)
          </li>
          <li>
            <span class="stat" id="stat-breaches">
              {r.school.breaches}
            </span>{' '}
            breaches
          </li>
          <li>
            <span class="stat" id="stat-answered">
              {r.school.answered}
            </span>{' '}
            answered in full;{' '}
            <a href="/follow-ups">
              <span class="stat" id="stat-awaiting">
                {r.school.awaitingFullAnswer}
              </span>{' '}
              held by a holding reply, awaiting a full answer
            </a>{' '}
            ({r.school.followUpOverdue} past the follow-up target)
          </li>
          <li id="stat-flag-target">
            <span class="stat" safe>
              {r.offensiveFlags.shareInTime === null
                ? '—'
                : `${Math.round(r.offensiveFlags.shareInTime * 100)}%`}
            </span>{' '}
            of offensive flags handled within the target of{' '}
            <span safe>{flagTarget(r.offensiveFlags.targetMinutes)}</span> ({r.offensiveFlags.handledInTime}{' '}
            of {r.offensiveFlags.flagged} flagged; {r.offensiveFlags.openOverdue} unhandled past it)
          </li>
          <li>
            <span class="stat">{r.coverageGaps.length}</span> account-days nobody triaged, of {r.workingDays}{' '}
            working days
          </li>
        </ul>
        {r.closuresWithoutMonitor.length > 0 ? (
          <div class="flash flash-error" role="alert" id="closure-warning">
            <p>
              Nobody is named to monitor the accounts while the school is closed (P1). Name who monitors on
              the{' '}
              <a href={`/schools/${encodeURIComponent(r.schoolId)}/settings#deadline-settings-h`}>
                settings page
              </a>
              . Closures in this range:
            </p>
            <ul>
              {r.closuresWithoutMonitor.map((c) => (
                <li safe>{`${c.label}: ${c.from} to ${c.to}`}</li>
              ))}
            </ul>
          </div>
        ) : (
          ''
        )}
        <div class="charts">
          <figure>
            {shareChart}
            <figcaption>Answered within the deadline, by week (starting Monday)</figcaption>
          </figure>
          <figure>
            {timeChart}
            <figcaption>Median time to first response, by week</figcaption>
          </figure>
        </div>
        <section aria-labelledby="open-h">
          <h2 id="open-h">Open comments by time left</h2>
          <ul class="bands">
            {BANDS.map(([band, label]) => (
              <li class={`band band-${band}`}>
                <span class="stat">{r.school.open[band]}</span> <span safe>{label}</span>
              </li>
            ))}
          </ul>
        </section>
        <section aria-labelledby="accounts-h">
          <h2 id="accounts-h">By account</h2>
          <section class="table-wrap" aria-label="Table, scrolls sideways" tabindex="0">
            <table>
              <thead>
                <tr>
                  <th scope="col">Account</th>
                  <th scope="col">Comments</th>
                  <th scope="col">On time</th>
                  <th scope="col">Median</th>
                  <th scope="col">Breaches</th>
                  <th scope="col">Open, past deadline</th>
                </tr>
              </thead>
              <tbody>
                {r.accounts.map((a) => (
                  <tr>
                    <td safe>{a.label}</td>
                    <td>{a.comments}</td>
                    <td safe>{pct(a.shareInTime)}</td>
                    <td safe>{duration(a.medianSecondsToFirstResponse)}</td>
                    <td>{a.breaches}</td>
                    <td>{a.open.breached}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
        </section>
        <section aria-labelledby="coverage-h">
          <h2 id="coverage-h">Monitoring coverage</h2>
          {r.coverageGaps.length === 0 ? (
            <p class="empty">Someone triaged every live account on every working day.</p>
          ) : (
            <section class="table-wrap" aria-label="Table, scrolls sideways" tabindex="0">
              <table class="coverage">
                <thead>
                  <tr>
                    <th scope="col">Working day</th>
                    <th scope="col">Account nobody triaged</th>
                    <th scope="col">Comments received</th>
                    <th scope="col">Account now</th>
                  </tr>
                </thead>
                <tbody>
                  {r.coverageGaps.map((g) => (
                    <tr>
                      <td safe>{g.date}</td>
                      <td safe>{g.label}</td>
                      <td>{g.commentsReceived}</td>
                      <td safe>{g.accountStatus}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </section>
          )}
        </section>
        <EscalationFiguresSection figures={r.escalations} />
      </main>
    </Layout>
  );
}

/** A flag target as the settings page writes it: "1 working hour", "90 working minutes". */
function flagTarget(minutes: number): string {
  if (minutes % 60 === 0) return `${minutes / 60} working hour${minutes === 60 ? '' : 's'}`;
  return `${minutes} working minutes`;
}
