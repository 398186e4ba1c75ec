import type { CommentPeople } from '../../comments/comment-people.js';
import { PostForm, Time } from './kit.js';

const STATE_WORDS: Record<string, string> = {
  awaiting: 'Awaiting removal',
  removed: 'Removed by the parent',
  escalated: 'Escalated to senior leaders',
};

/**
 * Above the reply box when the comment appears to come from a pupil (002 §5 Pupils): why, who it
 * went to, and that replies are refused; a senior leader may reply anyway with a reason.
 */
export function PupilNotice({ people }: { people: CommentPeople | undefined }): JSX.Element {
  if (!people?.pupil) return '';
  const p = people.pupil;
  return (
    <div class="flash flash-error" role="note" id="pupil-notice">
      <p>
        <strong>This comment appears to come from a pupil</strong>{' '}
        <span safe>
          {p.marked ? '(staff marked its author as a pupil).' : `(it says “${p.signal ?? ''}”).`}
        </span>
      </p>
      <p safe>
        {`The school does not reply to pupils on its accounts (policy 002 §5 Pupils): it is resolved under the behaviour policy, and has gone to ${p.behaviourLead ? `the behaviour lead, ${p.behaviourLead}` : 'the senior leaders (no behaviour lead is named in Settings)'}. Replies here are refused${people.can.overridePupil ? '; as a senior leader you may reply anyway, giving your reason below.' : '.'}`}
      </p>
    </div>
  );
}

/** The senior leader's override field in the reply form, only when the comment is a pupil's. */
export function PupilOverrideField({ people }: { people: CommentPeople | undefined }): JSX.Element {
  if (!people?.pupil || !people.can.overridePupil) return '';
  return (
    <>
      <label for="pupil-override">Reply to this pupil anyway: your reason (senior leaders, recorded)</label>
      <input id="pupil-override" name="pupilOverrideReason" maxlength="2000" />
    </>
  );
}

/** Who wrote it: parent or pupil marks, undone with a reason; the parent path of P9. */
export function WhoWroteIt({
  commentId,
  people,
  csrfToken,
}: {
  commentId: string;
  people: CommentPeople | undefined;
  csrfToken: string;
}): JSX.Element {
  if (!people) return '';
  const standing = people.marks.filter((m) => m.standing);
  return (
    <>
      {standing.length ? (
        <ul id="author-marks">
          {standing.map((m) => (
            <li>
              <span
                safe
              >{`Marked as ${m.kind === 'parent' ? 'a parent or carer' : 'a pupil'} by ${m.markedBy}`}</span>{' '}
              <Time at={m.markedAt} />
              {m.note ? <span safe>{` — ${m.note}`}</span> : ''}
            </li>
          ))}
        </ul>
      ) : (
        <p class="muted">Not marked as a parent or a pupil.</p>
      )}
      {people.can.mark ? <MarkForms commentId={commentId} people={people} csrfToken={csrfToken} /> : ''}
      {people.standing.parent ? (
        <ParentPath commentId={commentId} people={people} csrfToken={csrfToken} />
      ) : (
        ''
      )}
    </>
  );
}

function MarkForms({
  commentId,
  people,
  csrfToken,
}: {
  commentId: string;
  people: CommentPeople;
  csrfToken: string;
}): JSX.Element {
  return (
    <div class="mark-forms">
      {(['parent', 'pupil'] as const).map((kind) => {
        const words = kind === 'parent' ? 'a parent or carer' : 'a pupil';
        return people.standing[kind] ? (
          <PostForm action={`/comments/${commentId}/author/unmark`} csrfToken={csrfToken} class="inline-form">
            <input type="hidden" name="kind" value={kind} />
            <label for={`unmark-${kind}`} safe>{`Not ${words}: why`}</label>
            <input id={`unmark-${kind}`} name="reason" required maxlength="2000" />
            <button type="submit" class="secondary" safe>{`Undo: not ${words}`}</button>
          </PostForm>
        ) : (
          <PostForm action={`/comments/${commentId}/author/mark`} csrfToken={csrfToken} class="inline-form">
            <input type="hidden" name="kind" value={kind} />
            <label for={`mark-${kind}-note`} safe>{`How you know they are ${words} (optional)`}</label>
            <input id={`mark-${kind}-note`} name="note" maxlength="500" />
            <button type="submit" class="secondary" safe>{`Mark the author as ${words}`}</button>
          </PostForm>
        );
      })}
    </div>
  );
}

function ParentPath({
  commentId,
  people,
  csrfToken,
}: {
  commentId: string;
  people: CommentPeople;
  csrfToken: string;
}): JSX.Element {
  const r = people.parentRequest;
  if (r) {
    return (
      <p id="parent-request">
        <span
          safe
        >{`Parent asked to remove it (${r.contact === 'private' ? 'private message' : 'public notice'}), `}</span>
        <Time at={r.requestedAt} />
        {': '}
        <strong safe>{STATE_WORDS[r.state] ?? r.state}</strong>.{' '}
        <a href="/parent-requests">Parent requests</a>
      </p>
    );
  }
  if (people.hiddenOrGoing)
    return (
      <p class="muted" id="parent-request">
        The comment is hidden or removed, so the parent can no longer remove it: they are not asked to.
      </p>
    );
  if (!people.can.askParent)
    return <p class="muted">The account’s admins or a senior leader ask a parent to remove a comment.</p>;
  const complaints: string = people.complaintsUrl
    ? `The request points to the school’s complaints procedure: ${people.complaintsUrl}`
    : 'No complaints procedure link is set (Settings → Replies): the request names the procedure without a link.';
  return (
    <PostForm action={`/comments/${commentId}/parent-request`} csrfToken={csrfToken} id="parent-form">
      <h3>Ask the parent to remove it and to talk (P9)</h3>
      <p class="muted" safe>
        {complaints}
      </p>
      <fieldset>
        <legend>How</legend>
        {people.privateMessage ? (
          <label>
            <input type="radio" name="contact" value="private" checked />{' '}
            <span
              safe
            >{`Privately: ${people.privateMessage}. Send the message below in the platform’s app; Hallmonitor records it.`}</span>
          </label>
        ) : (
          ''
        )}
        <label>
          <input type="radio" name="contact" value="public" checked={!people.privateMessage} /> Publicly: a
          notice under the comment asking them to remove it and inviting them to talk
        </label>
      </fieldset>
      {people.privateMessage ? (
        <details>
          <summary>The private message to send</summary>
          <p class="draft" safe>
            {people.privateDraft}
          </p>
        </details>
      ) : (
        ''
      )}
      <button type="submit">Ask the parent</button>
    </PostForm>
  );
}
