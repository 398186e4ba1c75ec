import type { RetentionReport } from '../../deadlines/retention-report.js';
import { RETENTION_KINDS, type RetentionKind } from '../../deadlines/retention-settings.js';
import { Time } from '../components/kit.js';
import { Flash, type FlashMessage } from '../components/page-bits.js';
import type { NavUser } from '../components/site-nav.js';
import { Layout } from '../layout.js';

export interface RetentionReportPageProps {
  user: NavUser;
  csrfToken: string;
  flash?: FlashMessage | null;
  schools: { id: string; name: string }[];
  report: RetentionReport;
}

const KINDS = Object.entries(RETENTION_KINDS) as [RetentionKind, string][];

/** P12: what the nightly retention job destroyed, when, per kind of record. */
export function RetentionReportPage(props: RetentionReportPageProps): JSX.Element {
  const r = props.report;
  return (
    <Layout title="Retention report" user={props.user} csrfToken={props.csrfToken} current="deadlines">
      <main id="main">
        <h1>Retention report</h1>
        {Flash({ flash: props.flash })}
        <form method="get" action="/reports/retention" class="filters" aria-label="Choose the school">
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
          <button type="submit">Show</button>
        </form>
        <h2 safe>{`${r.schoolName}: periods now`}</h2>
        <ul>
          <li safe>{`${RETENTION_KINDS.comments}: ${r.retentionMonths} months`}</li>
          <li safe>{`${RETENTION_KINDS.quarantinedItems}: ${r.periods.quarantinedDays} days`}</li>
          <li safe>{`${RETENTION_KINDS.notifications}: ${r.periods.notificationMonths} months`}</li>
          <li safe>{`${RETENTION_KINDS.deliveryLog}: ${r.periods.deliveryLogDays} days`}</li>
          <li
            safe
          >{`Kept for safeguarding (safeguarding records policy): ${r.periods.safeguardingYears} years`}</li>
        </ul>
        <h2 id="runs-h">What each run destroyed</h2>
        {r.runs.length === 0 ? (
          <p class="empty">The retention job has not run for this school yet.</p>
        ) : (
          <section class="table-wrap" aria-labelledby="runs-h" tabindex="0">
            <table class="retention-runs">
              <thead>
                <tr>
                  <th scope="col">Run</th>
                  {KINDS.map(([, label]) => (
                    <th scope="col" safe>
                      {label}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {r.runs.map((run) => (
                  <tr>
                    <td>
                      <Time at={run.ranAt} />
                    </td>
                    {KINDS.map(([kind]) => (
                      <td safe>{String(run.counts[kind] ?? 0)}</td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
        )}
      </main>
    </Layout>
  );
}
