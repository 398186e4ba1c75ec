import { escapeHtml } from '@kitajs/html';
import { AUDIT_ACTIONS } from '../../audit/audit-actions.js';
import type { AuditEntryView } from '../../audit/audit-entry-view.js';
import type { AuditFilter } from '../../audit/audit-filter.js';
import { auditActionLabel, type CommentLabel } from '../../audit/audit-labels.js';
import type { Checkpoint } from '../../audit/audit-signing.js';
import { describeUnwitnessed, type VerifyResult } from '../../audit/verify-audit.js';
import { CommentName } from '../components/comment-name.js';
import { CsrfField } from '../components/csrf-field.js';
import { ActorName, Option, Time } from '../components/kit.js';
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

/** The kinds of subject entries are about, from the one list of actions. */
const SUBJECT_TYPES = [...new Set(Object.values(AUDIT_ACTIONS))].sort();

/** Options of a picker; an id from a link that is not in the list stays selected, shown as its id. */
function PickerOptions({
  items,
  selected,
}: {
  items: [string, string][];
  selected: string | undefined;
}): JSX.Element {
  const known =
    selected && !items.some(([id]) => id === selected) ? [[selected, selected] as [string, string]] : [];
  return (
    <>
      {[...known, ...items].map(([id, label]) => (
        <Option value={id} label={label} selected={selected ?? ''} />
      ))}
    </>
  );
}

function withoutSubject(query: URLSearchParams): string {
  const q = new URLSearchParams(query);
  q.delete('subjectId');
  q.delete('subjectType');
  return q.toString();
}

function Input({
  name,
  label,
  value,
  type = 'text',
}: {
  name: string;
  label: string;
  value: string | undefined;
  type?: string;
}): JSX.Element {
  return (
    <label>
      <span safe>{label}</span> <input type={type} name={name} value={escapeHtml(value ?? '')} />
    </label>
  );
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
function Json({ value }: { value: unknown }): JSX.Element {
  const raw = JSON.stringify(value, null, 1) ?? 'null';
  const pieces: JSX.Element[] = [];
  let at = 0;
  for (const m of raw.matchAll(/"((?:[^"\\]|\\.)*)"/g)) {
    const between = raw.slice(at, m.index);
    pieces.push(
      <>
        <span safe>{between}</span>"<PublicText text={m[1]!} />"
      </>,
    );
    at = m.index + m[0].length;
  }
  const rest = raw.slice(at);
  return (
    <>
      {pieces}
      <span safe>{rest}</span>
    </>
  );
}

function PersonalData({ e }: { e: AuditEntryView }): JSX.Element {
  if (e.personalData.state === 'redacted') {
    return <p class="muted redacted" safe>{`Personal data ${e.personalData.note}`}</p>;
  }
  if (e.personalData.state === 'held') {
    return (
      <details>
        <summary>Personal data</summary>
        <pre>
          <Json value={e.personalData.content} />
        </pre>
      </details>
    );
  }
  return '';
}

function Entry({
  e,
  schoolName,
  label,
}: {
  e: AuditEntryView;
  schoolName: string;
  label?: CommentLabel | undefined;
}): JSX.Element {
  return (
    <tr id={`entry-${e.seq}`}>
      <td class="seq">{e.seq}</td>
      <td>
        <Time at={e.at} seconds />
      </td>
      <td>
        <ActorName name={e.actor.name} system={e.actor.type === 'system'} />
      </td>
      <td>
        <span safe>{auditActionLabel(e.action)}</span>
        <br />
        <code class="muted" safe>
          {e.action}
        </code>
      </td>
      <td>
        {label ? <CommentName label={label} /> : <PublicText text={e.subject.label} />}
        <br />
        <span class="muted" safe>
          {schoolName}
        </span>
        {e.subject.id ? (
          <>
            <br />
            <a
              class="only-subject"
              href={escapeHtml(
                `/audit?${new URLSearchParams({ subjectType: e.subject.type, subjectId: e.subject.id }).toString()}`,
              )}
            >
              Only entries about this
            </a>
          </>
        ) : (
          ''
        )}
      </td>
      <td>
        {e.reason ? <PublicText text={e.reason} /> : <span class="muted">—</span>}
        {e.before !== null || e.after !== null ? (
          <p>
            Before:{' '}
            <code>
              <Json value={e.before} />
            </code>{' '}
            → after:{' '}
            <code>
              <Json value={e.after} />
            </code>
          </p>
        ) : (
          ''
        )}
        <PersonalData e={e} />
        <details>
          <summary>Details</summary>
          <pre>
            <Json value={e.details} />
          </pre>
          <p class="muted" safe>{`hash ${e.hash.slice(0, 16)}…`}</p>
        </details>
      </td>
    </tr>
  );
}

function VerifyOutcome({ result }: { result: AuditPageProps['verify'] }): JSX.Element {
  if (!result) return '';
  if (result.intact) {
    return (
      <>
        <p class="flash flash-ok" role="status">
          Intact: entries {result.from}–{result.to} ({result.count} entries) recomputed; checked against{' '}
          {result.checkpoints} signed checkpoint(s). Head hash <code safe>{result.headHash}</code>.
        </p>
        <p class={`flash${result.unwitnessed.since === null ? ' flash-error' : ''}`} role="status" safe>
          {`Unwitnessed: ${describeUnwitnessed(result.unwitnessed)}. A consistent rewrite of these entries by someone with the database could not be detected until the next checkpoint covers them.`}
        </p>
      </>
    );
  }
  return (
    <p class="flash flash-error" role="alert">
      <span safe>{`Broken at entry ${result.seq}: ${result.reason}.`}</span>{' '}
      <a href={escapeHtml(`/audit?fromSeq=${result.seq}&toSeq=${result.seq}`)}>Show entry {result.seq}</a>
    </p>
  );
}

/** The auditor's screen: search, read, verify, export. Read-only apart from Verify and Sign. */
export function AuditPage(props: AuditPageProps): JSX.Element {
  const { filter } = props;
  const names = new Map(props.schools.map((s) => [s.id, s.name]));
  const query = filterQuery(filter);
  const exportLink = (format: string) => {
    const q = new URLSearchParams(query);
    q.set('format', format);
    return `/api/audit/export?${q.toString()}`;
  };
  return (
    <Layout title="Audit log" user={props.user} csrfToken={props.csrfToken} current="audit">
      <main id="main">
        <h1>Audit log</h1>
        <VerifyOutcome result={props.verify} />
        {props.signingConfigured ? (
          ''
        ) : (
          <p class="flash flash-error" role="alert">
            Checkpoints are not being signed: no signing key is in use (AUDIT_SIGNING_KEY, or the key file the
            services generate when it is unset). Verify still recomputes the chain, but a consistent rewrite
            of the whole log would not be detected.
          </p>
        )}
        <form method="get" action="/audit" class="filters" aria-label="Filter the audit log">
          <label>
            School{' '}
            <select name="schoolId">
              <Option value="" label="All my schools" selected={filter.schoolId ?? ''} />
              {props.schools.map((s) => (
                <Option value={s.id} label={s.name} selected={filter.schoolId ?? ''} />
              ))}
            </select>
          </label>
          <label class="wide">
            Action{' '}
            <select name="action">
              <Option value="" label="Any" selected={filter.action ?? ''} />
              {Object.keys(AUDIT_ACTIONS).map((a) => (
                <Option value={a} label={`${auditActionLabel(a)} (${a})`} selected={filter.action ?? ''} />
              ))}
            </select>
          </label>
          <label class="wide">
            Account{' '}
            <select name="accountId">
              <Option value="" label="Any account" selected={filter.accountId ?? ''} />
              <PickerOptions
                items={(props.accounts ?? []).map((a) => [a.id, `@${a.handle} (${a.platform}, ${a.school})`])}
                selected={filter.accountId}
              />
            </select>
          </label>
          <label class="wide">
            Person{' '}
            <select name="actorId">
              <Option value="" label="Anyone (or the system)" selected={filter.actorId ?? ''} />
              <PickerOptions
                items={(props.people ?? []).map((p) => [p.id, `${p.name} (${p.email})`])}
                selected={filter.actorId}
              />
            </select>
          </label>
          <label>
            About{' '}
            <select name="subjectType">
              <Option value="" label="Anything" selected={filter.subjectType ?? ''} />
              {SUBJECT_TYPES.map((t) => (
                <Option value={t} label={t} selected={filter.subjectType ?? ''} />
              ))}
            </select>
          </label>
          {filter.subjectId ? (
            <p class="filter-subject">
              <span safe>{`Only entries about one ${filter.subjectType ?? 'subject'}`}</span>{' '}
              <input type="hidden" name="subjectId" value={filter.subjectId} />
              <a href={escapeHtml(`/audit?${withoutSubject(query)}`)}>Show all subjects</a>
            </p>
          ) : (
            ''
          )}
          <Input name="from" label="From" value={filter.from?.toISOString().slice(0, 10)} type="date" />
          <Input name="to" label="To" value={filter.to} type="date" />
          <Input name="q" label="Reason contains" value={filter.q} type="search" />
          <button type="submit">Search</button>
        </form>
        {props.canVerify ? (
          <section class="audit-tools" aria-label="Verify and export">
            <form method="post" action="/audit/verify" class="inline-form">
              <CsrfField token={props.csrfToken} />
              <button type="submit">Verify the whole log</button>
            </form>
            <p>
              Export these entries: <a href={escapeHtml(exportLink('csv'))}>CSV</a> ·{' '}
              <a href={escapeHtml(exportLink('jsonl'))}>JSON Lines</a> ·{' '}
              <a href="/api/audit/checkpoints/export">signed checkpoints</a>
            </p>
            <p class="muted">
              {props.latestCheckpoint ? (
                <>
                  Last signed checkpoint: entry {props.latestCheckpoint.seq},{' '}
                  <Time at={props.latestCheckpoint.signedAt} />
                </>
              ) : (
                'No checkpoint signed yet.'
              )}
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
                {props.items.map((e) => (
                  <Entry
                    e={e}
                    schoolName={e.schoolId ? (names.get(e.schoolId) ?? '') : ''}
                    label={e.subject.id ? props.subjectLabels?.get(e.subject.id) : undefined}
                  />
                ))}
              </tbody>
            </table>
          </section>
        )}
        {props.next !== null ? (
          <a
            class="next-page"
            href={escapeHtml(
              `/audit?${new URLSearchParams({ ...Object.fromEntries(query), before: String(props.next) }).toString()}`,
            )}
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
