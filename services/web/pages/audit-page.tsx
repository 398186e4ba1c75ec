import { escapeHtml } from '@kitajs/html';
import { AUDIT_ACTIONS } from '../../audit/audit-actions.js';
import type { AuditEntryView } from '../../audit/audit-entry-view.js';
import type { AuditFilter } from '../../audit/audit-filter.js';
import { auditActionLabel, type CommentLabel } from '../../audit/audit-labels.js';
import type { Checkpoint } from '../../audit/audit-signing.js';
import { describeUnwitnessed, type VerifyResult } from '../../audit/verify-audit.js';
import { CommentName } from '../components/comment-name.js';
import { CsrfField } from '../components/csrf-field.js';
import { Time } from '../components/kit.js';
import { PublicText } from '../components/public-text.js';
import type { NavUser } from '../components/site-nav.js';
import { Layout } from '../layout.js';

export type { CommentLabel };

export interface AuditPageProps {
  user: NavUser;
  csrfToken: string;
  filter: AuditFilter;
  schools: { id: string; name: string }[];
  items: AuditEntryView[];
  next: number | null;
  /** May verify, sign checkpoints and export (auditor, trust admin). */
  canVerify: boolean;
  verify?: (VerifyResult & { signingConfigured: boolean }) | null;
  latestCheckpoint: Checkpoint | null;
  signingConfigured: boolean;
  /** Comments named by author and day ("Comment by @author on 3 Dec 2026"), by subject id; null handle: redacted. */
  subjectLabels?: ReadonlyMap<string, CommentLabel>;
  /** The filter's pickers: accounts and people of the schools the viewer may audit. */
  accounts?: { id: string; handle: string; platform: string; school: string }[];
  people?: { id: string; name: string; email: string }[];
}

function option(value: string, label: string, selected: string | undefined): string {
  return `<option value="${escapeHtml(value)}"${value === (selected ?? '') ? ' selected' : ''}>${escapeHtml(label)}</option>`;
}

/** The kinds of subject entries are about, from the one list of actions. */
const SUBJECT_TYPES = [...new Set(Object.values(AUDIT_ACTIONS))].sort();

/** Options of a picker; an id from a link that is not in the list stays selected, shown as its id. */
function pickerOptions(items: [string, string][], selected: string | undefined): string {
  const known =
    selected && !items.some(([id]) => id === selected) ? [[selected, selected] as [string, string]] : [];
  return [...known, ...items].map(([id, label]) => option(id, label, selected)).join('');
}

function withoutSubject(query: URLSearchParams): string {
  const q = new URLSearchParams(query);
  q.delete('subjectId');
  q.delete('subjectType');
  return q.toString();
}

function input(name: string, label: string, value: string | undefined, type = 'text'): string {
  return `<label>${escapeHtml(label)} <input type="${type}" name="${name}" value="${escapeHtml(value ?? '')}" /></label>`;
}

function filterQuery(filter: AuditFilter): URLSearchParams {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(filter)) {
    if (v === undefined || v === '') continue;
    q.set(k, v instanceof Date ? v.toISOString().slice(0, 10) : String(v));
  }
  return q;
}

/**
 * JSON as text, each string in it isolated: personal data and details hold comment text and
 * authors' names, whose overrides must not turn the rest of the record round.
 */
function json(value: unknown): string {
  const raw = JSON.stringify(value, null, 1) ?? 'null';
  let out = '';
  let at = 0;
  for (const m of raw.matchAll(/"((?:[^"\\]|\\.)*)"/g)) {
    out += `${escapeHtml(raw.slice(at, m.index))}"${PublicText({ text: m[1]! })}"`;
    at = m.index + m[0].length;
  }
  return out + escapeHtml(raw.slice(at));
}

function Entry({
  e,
  schoolName,
  label,
}: {
  e: AuditEntryView;
  schoolName: string;
  label?: CommentLabel | undefined;
}): string {
  const personal =
    e.personalData.state === 'redacted'
      ? `<p class="muted redacted">Personal data ${escapeHtml(e.personalData.note)}</p>`
      : e.personalData.state === 'held'
        ? `<details><summary>Personal data</summary><pre>${json(e.personalData.content)}</pre></details>`
        : '';
  const change =
    e.before !== null || e.after !== null
      ? `<p>Before: <code>${json(e.before)}</code> → after: <code>${json(e.after)}</code></p>`
      : '';
  return `<tr id="entry-${e.seq}">
  <td class="seq">${e.seq}</td>
  <td>${Time({ at: e.at, seconds: true })}</td>
  <td>${PublicText({ text: e.actor.name })}${e.actor.type === 'system' ? ' <span class="muted">(system)</span>' : ''}</td>
  <td>${escapeHtml(auditActionLabel(e.action))}<br /><code class="muted">${escapeHtml(e.action)}</code></td>
  <td>${label ? CommentName({ label }) : PublicText({ text: e.subject.label })}<br /><span class="muted">${escapeHtml(schoolName)}</span>${e.subject.id ? `<br /><a class="only-subject" href="/audit?${escapeHtml(new URLSearchParams({ subjectType: e.subject.type, subjectId: e.subject.id }).toString())}">Only entries about this</a>` : ''}</td>
  <td>${e.reason ? PublicText({ text: e.reason }) : '<span class="muted">—</span>'}${change}${personal}
    <details><summary>Details</summary><pre>${json(e.details)}</pre><p class="muted">hash ${escapeHtml(e.hash.slice(0, 16))}…</p></details></td>
</tr>`;
}

function VerifyOutcome({ result }: { result: AuditPageProps['verify'] }): string {
  if (!result) return '';
  if (result.intact) {
    return `<p class="flash flash-ok" role="status">Intact: entries ${result.from}–${result.to} (${result.count} entries) recomputed; checked against ${result.checkpoints} signed checkpoint(s). Head hash <code>${escapeHtml(result.headHash)}</code>.</p><p class="flash${result.unwitnessed.since === null ? ' flash-error' : ''}" role="status">Unwitnessed: ${escapeHtml(describeUnwitnessed(result.unwitnessed))}. A consistent rewrite of these entries by someone with the database could not be detected until the next checkpoint covers them.</p>`;
  }
  return `<p class="flash flash-error" role="alert">Broken at entry ${result.seq}: ${escapeHtml(result.reason)}. <a href="/audit?fromSeq=${result.seq}&amp;toSeq=${result.seq}">Show entry ${result.seq}</a></p>`;
}

/** The auditor's screen: search, read, verify, export. Read-only apart from Verify and Sign. */
export function AuditPage(props: AuditPageProps): JSX.Element {
  const { filter } = props;
  const names = new Map(props.schools.map((s) => [s.id, s.name]));
  const query = filterQuery(filter);
  const exportLink = (format: string) => {
    const q = new URLSearchParams(query);
    q.set('format', format);
    return `/api/audit/export?${escapeHtml(q.toString())}`;
  };
  return (
    <Layout title="Audit log" user={props.user} csrfToken={props.csrfToken} current="audit">
      <main id="main">
        <h1>Audit log</h1>
        {VerifyOutcome({ result: props.verify })}
        {props.signingConfigured
          ? ''
          : '<p class="flash flash-error" role="alert">Checkpoints are not being signed: no signing key is in use (AUDIT_SIGNING_KEY, or the key file the services generate when it is unset). Verify still recomputes the chain, but a consistent rewrite of the whole log would not be detected.</p>'}
        <form method="get" action="/audit" class="filters" aria-label="Filter the audit log">
          <label>
            School{' '}
            <select name="schoolId">
              {option('', 'All my schools', filter.schoolId)}
              {props.schools.map((s) => option(s.id, s.name, filter.schoolId)).join('')}
            </select>
          </label>
          <label>
            Action{' '}
            <select name="action">
              {option('', 'Any', filter.action)}
              {Object.keys(AUDIT_ACTIONS)
                .map((a) => option(a, `${auditActionLabel(a)} (${a})`, filter.action))
                .join('')}
            </select>
          </label>
          <label>
            Account{' '}
            <select name="accountId">
              {option('', 'Any account', filter.accountId)}
              {pickerOptions(
                (props.accounts ?? []).map((a) => [a.id, `@${a.handle} (${a.platform}, ${a.school})`]),
                filter.accountId,
              )}
            </select>
          </label>
          <label>
            Person{' '}
            <select name="actorId">
              {option('', 'Anyone (or the system)', filter.actorId)}
              {pickerOptions(
                (props.people ?? []).map((p) => [p.id, `${p.name} (${p.email})`]),
                filter.actorId,
              )}
            </select>
          </label>
          <label>
            About{' '}
            <select name="subjectType">
              {option('', 'Anything', filter.subjectType)}
              {SUBJECT_TYPES.map((t) => option(t, t, filter.subjectType)).join('')}
            </select>
          </label>
          {filter.subjectId
            ? `<p class="filter-subject">Only entries about one ${escapeHtml(filter.subjectType ?? 'subject')} <input type="hidden" name="subjectId" value="${escapeHtml(filter.subjectId)}" /><a href="/audit?${escapeHtml(withoutSubject(query))}">Show all subjects</a></p>`
            : ''}
          {input('from', 'From', filter.from?.toISOString().slice(0, 10), 'date')}
          {input('to', 'To', filter.to, 'date')}
          {input('q', 'Reason contains', filter.q, 'search')}
          <button type="submit">Search</button>
        </form>
        {props.canVerify ? (
          <section class="audit-tools" aria-label="Verify and export">
            <form method="post" action="/audit/verify" class="inline-form">
              <CsrfField token={props.csrfToken} />
              <button type="submit">Verify the whole log</button>
            </form>
            <p>
              Export these entries: <a href={exportLink('csv')}>CSV</a> ·{' '}
              <a href={exportLink('jsonl')}>JSON Lines</a> ·{' '}
              <a href="/api/audit/checkpoints/export">signed checkpoints</a>
            </p>
            <p class="muted">
              {props.latestCheckpoint
                ? `Last signed checkpoint: entry ${props.latestCheckpoint.seq}, ${Time({ at: props.latestCheckpoint.signedAt })}`
                : 'No checkpoint signed yet.'}
            </p>
          </section>
        ) : (
          ''
        )}
        {props.items.length === 0 ? (
          <p class="empty">No audit entries match.</p>
        ) : (
          <section class="table-wrap" aria-label="Table, scrolls sideways" tabindex="0">
            <table class="audit-log">
              <thead>
                <tr>
                  <th scope="col">#</th>
                  <th scope="col">When</th>
                  <th scope="col">Who</th>
                  <th scope="col">What</th>
                  <th scope="col">On what</th>
                  <th scope="col">Why, before and after</th>
                </tr>
              </thead>
              <tbody>
                {props.items
                  .map((e) =>
                    Entry({
                      e,
                      schoolName: e.schoolId ? (names.get(e.schoolId) ?? '') : '',
                      label: e.subject.id ? props.subjectLabels?.get(e.subject.id) : undefined,
                    }),
                  )
                  .join('')}
              </tbody>
            </table>
          </section>
        )}
        {props.next !== null ? (
          <a
            class="next-page"
            href={`/audit?${escapeHtml(new URLSearchParams({ ...Object.fromEntries(query), before: String(props.next) }).toString())}`}
          >
            Older entries
          </a>
        ) : (
          ''
        )}
      </main>
    </Layout>
  );
}
