import type { CorrectionView } from '../../classification/corrections/list-corrections.js';
import { Option, PostForm, Time, words } from '../components/kit.js';
import { Flash, type FlashMessage, fieldId } from '../components/page-bits.js';
import { PublicText } from '../components/public-text.js';
import type { NavUser } from '../components/site-nav.js';
import { Layout } from '../layout.js';

export interface CorrectionsPageProps {
  user: NavUser;
  csrfToken: string;
  flash?: FlashMessage | null;
  /** The schools where the person is a trust admin. */
  schools: { id: string; name: string }[];
  school: { id: string; name: string };
  status: 'pending' | 'reviewed' | 'all';
  corrections: CorrectionView[];
}

const KIND_TEXT: Record<CorrectionView['kind'], string> = {
  missed: 'Missed',
  confirmed: 'Confirmed',
  overturned: 'Not a problem',
};
const OUTCOME_TEXT: Record<string, string> = {
  pending: 'waiting for review',
  term_added: 'added as a school term',
  allow_added: 'added to the allow-list',
  example: 'kept as a training example',
  dismissed: 'dismissed',
  not_needed: 'no review needed',
};

function ReviewForms({ c, schoolId, csrfToken }: { c: CorrectionView; schoolId: string; csrfToken: string }) {
  const action = `/corrections/${schoolId}/${c.id}/review`;
  const term = fieldId('term');
  const severity = fieldId('severity');
  const dismiss = fieldId('dismiss-note');
  return (
    <div class="review-forms">
      {c.kind === 'missed' ? (
        <PostForm action={action} csrfToken={csrfToken} class="inline-form">
          <input type="hidden" name="outcome" value="term" />
          <label for={term} safe>
            {`Word or phrase to flag as ${words(c.category)}`}
          </label>
          <input id={term} name="term" required minlength="2" maxlength="100" />
          <label for={severity}>Severity</label>
          <select id={severity} name="severity">
            <Option value="medium" label="medium" />
            <Option value="high" label="high" />
            <Option value="low" label="low" />
          </select>
          <button type="submit">Add as a school term</button>
        </PostForm>
      ) : (
        <PostForm action={action} csrfToken={csrfToken} class="inline-form">
          <input type="hidden" name="outcome" value="allow" />
          <label for={term}>Harmless word or phrase never to flag</label>
          <input id={term} name="term" required minlength="2" maxlength="100" />
          <button type="submit">Add to the allow-list</button>
        </PostForm>
      )}
      <PostForm action={action} csrfToken={csrfToken} class="inline-form">
        <input type="hidden" name="outcome" value="example" />
        <button type="submit">Keep as a training example</button>
      </PostForm>
      <PostForm action={action} csrfToken={csrfToken} class="inline-form">
        <input type="hidden" name="outcome" value="dismiss" />
        <label for={dismiss}>Why dismiss (optional)</label>
        <input id={dismiss} name="note" maxlength="2000" />
        <button type="submit" class="secondary">
          Dismiss
        </button>
      </PostForm>
    </div>
  );
}

function Item({ c, schoolId, csrfToken }: { c: CorrectionView; schoolId: string; csrfToken: string }) {
  const before = c.categoriesBefore.length ? c.categoriesBefore.map(words).join(', ') : 'nothing';
  const now = c.categoriesNow.length ? c.categoriesNow.map(words).join(', ') : 'nothing';
  return (
    <li class={`card correction correction-${c.kind}`} data-correction-id={c.id}>
      <p class="meta">
        <strong safe>{`${KIND_TEXT[c.kind]}: ${words(c.category)}`}</strong>
        {' · '}
        <span safe>{`${c.accountLabel} · by ${c.correctedBy}`}</span> <Time at={c.createdAt} />
      </p>
      {c.commentText === null ? (
        <p class="comment-text muted">Redacted under the retention policy</p>
      ) : (
        <p class="comment-text">
          <PublicText text={c.commentText} />
        </p>
      )}
      {c.note ? (
        <p class="note">
          Note: <PublicText text={c.note} />
        </p>
      ) : (
        ''
      )}
      <p class="muted" safe>{`The classifier said: ${before}. Now: ${now}.`}</p>
      <a href={`/comments/${c.commentId}`}>Open the comment</a>
      {c.reviewStatus === 'pending' ? (
        <ReviewForms c={c} schoolId={schoolId} csrfToken={csrfToken} />
      ) : (
        <p class="review-outcome">
          <span safe>{`Review: ${OUTCOME_TEXT[c.reviewStatus] ?? words(c.reviewStatus)}`}</span>
          {c.reviewedBy ? <span safe>{` by ${c.reviewedBy}`}</span> : ''}{' '}
          {c.reviewedAt ? <Time at={c.reviewedAt} /> : ''}
          {c.exampleExpect ? <span safe>{` (expect: ${c.exampleExpect.join(', ') || 'no flag'})`}</span> : ''}
        </p>
      )}
    </li>
  );
}

/** Trust admins: the school's staff corrections, each turned into a term, an example, or dismissed. */
export function CorrectionsPage(props: CorrectionsPageProps): JSX.Element {
  const { school, status, corrections, csrfToken } = props;
  return (
    <Layout title="Corrections" user={props.user} csrfToken={csrfToken} current="corrections">
      <main id="main">
        <h1>Corrections to the classifier</h1>
        <Flash flash={props.flash} />
        <p class="help">
          Staff flag what the classifier missed and clear what it flagged wrongly. Turn each correction into a
          school term or phrase, an allow-list entry, or an example for the next training run, or dismiss it.
        </p>
        <form method="get" action="/corrections" class="filters" aria-label="Choose the list">
          <label>
            School{' '}
            <select name="schoolId">
              {props.schools.map((s) => (
                <Option value={s.id} label={s.name} selected={school.id} />
              ))}
            </select>
          </label>
          <label>
            Show{' '}
            <select name="status">
              <Option value="pending" label="Waiting for review" selected={status} />
              <Option value="reviewed" label="Reviewed" selected={status} />
              <Option value="all" label="All" selected={status} />
            </select>
          </label>
          <button type="submit">Show</button>
        </form>
        <p>
          <a href={`/api/schools/${school.id}/corrections/examples.jsonl`} download="staff-corrections.jsonl">
            Download the training examples
          </a>{' '}
          (one {'{id,text,expect,kind,subkind}'} per line, for config/classifier/corpus/)
        </p>
        <section aria-labelledby="corrections-h">
          <h2 id="corrections-h" safe>
            {`${school.name}: ${String(corrections.length)} ${corrections.length === 1 ? 'correction' : 'corrections'}`}
          </h2>
          {corrections.length === 0 ? (
            <p class="empty">Nothing here.</p>
          ) : (
            <ol class="cards">
              {corrections.map((c) => (
                <Item c={c} schoolId={school.id} csrfToken={csrfToken} />
              ))}
            </ol>
          )}
        </section>
      </main>
    </Layout>
  );
}
