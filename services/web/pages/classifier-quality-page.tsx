import type { QualityReport } from '../../classification/corrections/correction-quality-report.js';
import { Option, words } from '../components/kit.js';
import { Flash, type FlashMessage } from '../components/page-bits.js';
import type { NavUser } from '../components/site-nav.js';
import { Layout } from '../layout.js';

export interface ClassifierQualityPageProps {
  user: NavUser;
  csrfToken: string;
  flash?: FlashMessage | null;
  schools: { id: string; name: string }[];
  report: QualityReport;
}

/** Monthly classifier quality from staff corrections: confirmed, overturned, missed, by category. */
export function ClassifierQualityPage(props: ClassifierQualityPageProps): JSX.Element {
  const r = props.report;
  const json = `/api/schools/${r.school.id}/classifier-quality?month=${r.month}`;
  return (
    <Layout title="Classifier quality" user={props.user} csrfToken={props.csrfToken} current="deadlines">
      <main id="main">
        <p>
          <a href="/deadlines">← Deadlines</a>
        </p>
        <h1>Classifier quality</h1>
        <Flash flash={props.flash} />
        <form
          method="get"
          action="/reports/classifier-quality"
          class="filters"
          aria-label="Choose the report"
        >
          <label>
            School{' '}
            <select name="schoolId">
              {props.schools.map((s) => (
                <Option value={s.id} label={s.name} selected={r.school.id} />
              ))}
            </select>
          </label>
          <label>
            Month <input type="month" name="month" value={r.month} required />
          </label>
          <button type="submit">Show</button>
        </form>
        <p class="help">
          From staff corrections made in the month (<span safe>{r.school.timeZone}</span> time): a flag
          confirmed is staff agreeing with the classifier; overturned is “not a problem”; missed is staff
          flagging what it had not.
        </p>
        <div class="table-wrap">
          <table class="quality-report">
            <caption safe>{`${r.school.name}, ${r.month}`}</caption>
            <thead>
              <tr>
                <th scope="col">Category</th>
                <th scope="col">Flags confirmed</th>
                <th scope="col">Flags overturned</th>
                <th scope="col">Misses reported</th>
              </tr>
            </thead>
            <tbody>
              {r.rows.map((row) => (
                <tr data-category={row.category}>
                  <th scope="row" safe>
                    {words(row.category)}
                  </th>
                  <td safe>{String(row.confirmed)}</td>
                  <td safe>{String(row.overturned)}</td>
                  <td safe>{String(row.missed)}</td>
                </tr>
              ))}
            </tbody>
            <tfoot>
              <tr>
                <th scope="row">All categories</th>
                <td safe>{String(r.totals.confirmed)}</td>
                <td safe>{String(r.totals.overturned)}</td>
                <td safe>{String(r.totals.missed)}</td>
              </tr>
            </tfoot>
          </table>
        </div>
        <p>
          <a href={json}>The same report as JSON</a>
        </p>
      </main>
    </Layout>
  );
}
