import type { SavedReplyView } from '../../comments/saved-reply-rules.js';
import { CsrfField } from '../components/csrf-field.js';
import { Flash, type FlashMessage } from '../components/page-bits.js';
import type { NavUser } from '../components/site-nav.js';
import { Layout } from '../layout.js';

export interface SavedRepliesPageProps {
  user: NavUser;
  csrfToken: string;
  flash: FlashMessage | null;
  school: { id: string; name: string };
  otherSchools: { id: string; name: string }[];
  replies: SavedReplyView[];
  /** Comms and senior leaders edit; everyone else at the school reads. */
  editable: boolean;
}

function ReplyForm(props: {
  action: string;
  csrfToken: string;
  idPrefix: string;
  title?: string;
  body?: string;
  submit: string;
}): JSX.Element {
  return (
    <form method="post" action={props.action} class="saved-reply-form">
      <CsrfField token={props.csrfToken} />
      <label for={`${props.idPrefix}-title`}>Title</label>
      <input id={`${props.idPrefix}-title`} name="title" required maxlength="80" value={props.title ?? ''} />
      <label for={`${props.idPrefix}-body`}>Reply</label>
      <textarea id={`${props.idPrefix}-body`} name="body" required maxlength="2000" rows="4" safe>
        {props.body ?? ''}
      </textarea>
      <button type="submit" safe>
        {props.submit}
      </button>
    </form>
  );
}

/** A school's saved replies: the composer's starting points, edited by comms and senior leaders. */
export function SavedRepliesPage(props: SavedRepliesPageProps): JSX.Element {
  const { school, csrfToken } = props;
  return (
    <Layout title="Saved replies" user={props.user} csrfToken={csrfToken} current="settings">
      <main id="main" class="saved-replies">
        <h1>
          Saved replies: <span safe>{school.name}</span>
        </h1>
        <Flash flash={props.flash} />
        <p>
          Starting points for a reply on the comment page. Staff edit a saved reply before sending it, and
          every reply still passes the outgoing check: never name a pupil or share personal data here.
        </p>
        {props.otherSchools.length ? (
          <nav aria-label="Other schools">
            Other schools:{' '}
            {props.otherSchools.map((s) => (
              <>
                <a href={`/schools/${s.id}/saved-replies`} safe>
                  {s.name}
                </a>{' '}
              </>
            ))}
          </nav>
        ) : (
          ''
        )}
        {props.replies.length === 0 ? <p class="empty">No saved replies yet.</p> : ''}
        <ul class="cards">
          {props.replies.map((r, i) => (
            <li class="card">
              {props.editable ? (
                <>
                  <h2 class="visually-hidden" safe>
                    {r.title}
                  </h2>
                  {ReplyForm({
                    action: `/saved-replies/${r.id}`,
                    csrfToken,
                    idPrefix: `reply-${i}`,
                    title: r.title,
                    body: r.body,
                    submit: 'Save changes',
                  })}
                  <form method="post" action={`/saved-replies/${r.id}/delete`} class="inline-form">
                    <CsrfField token={csrfToken} />
                    <button type="submit" class="danger">
                      Delete “<span safe>{r.title}</span>”
                    </button>
                  </form>
                </>
              ) : (
                <>
                  <h2 safe>{r.title}</h2>
                  <p safe>{r.body}</p>
                </>
              )}
            </li>
          ))}
        </ul>
        {props.editable ? (
          <section aria-labelledby="add-h">
            <h2 id="add-h">Add a saved reply</h2>
            {ReplyForm({
              action: `/schools/${school.id}/saved-replies`,
              csrfToken,
              idPrefix: 'new-reply',
              submit: 'Add saved reply',
            })}
          </section>
        ) : (
          ''
        )}
      </main>
    </Layout>
  );
}
