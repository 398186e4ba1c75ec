import type { EscalationQueue, QueueItem } from '../../moderation/list-escalation-queue.js';
import { EscalationList } from '../components/escalation-list.js';
import { PostForm, Time } from '../components/kit.js';
import { LabelChips } from '../components/moderation-bits.js';
import { Flash, type FlashMessage } from '../components/page-bits.js';
import { AuthorName, PublicText } from '../components/public-text.js';
import type { NavUser } from '../components/site-nav.js';
import { Layout } from '../layout.js';

export interface EscalationsPageProps {
  user: NavUser;
  csrfToken: string;
  flash?: FlashMessage | null;
  queue: EscalationQueue;
}

/** What each kind of escalation is, in the policy's words. */
const KIND_LABEL: Record<string, string> = {
  police: 'Referred to the police',
  senior_leader: 'Unacceptable conduct reported to a senior leader',
  platform_report: 'Reported to the platform',
  media: 'Media enquiry',
};

/** P7's police-referral step for possibly illegal conduct. */
const POLICE_STEP: Record<string, string> = {
  due: 'Police referral due: possibly illegal. Refer it to the police and record the reference on the comment page (Escalate, "Refer to the police"), or close it as not referred, saying why.',
  referred: 'Referred to the police: the reference is on the comment’s police referral.',
  not_referred: 'Not referred to the police: the closing note says why.',
};

function ResolveForms({ e, csrfToken }: { e: QueueItem; csrfToken: string }): JSX.Element {
  const ackNote = `ack-note-${e.id}`;
  const closeNote = `close-note-${e.id}`;
  return (
    <div class="resolve-forms">
      {e.status === 'open' ? (
        <PostForm action={`/escalations/${e.id}/acknowledge`} csrfToken={csrfToken} class="stack-form">
          <label for={ackNote}>Note (optional)</label>
          <input id={ackNote} name="note" maxlength="4000" />
          <button type="submit">Acknowledge: I am dealing with it</button>
        </PostForm>
      ) : (
        ''
      )}
      <PostForm action={`/escalations/${e.id}/close`} csrfToken={csrfToken} class="stack-form">
        <label for={closeNote}>What was done (required to close)</label>
        <textarea id={closeNote} name="note" required maxlength="4000" rows="2"></textarea>
        {e.policeReferral === 'due' ? (
          <p class="checkbox">
            <input type="checkbox" id={`not-referred-${e.id}`} name="notReferred" />
            <label for={`not-referred-${e.id}`}>Not referred to the police (the note says why)</label>
          </p>
        ) : (
          ''
        )}
        <button type="submit">Close with this note</button>
      </PostForm>
    </div>
  );
}

function Item({ e, csrfToken }: { e: QueueItem; csrfToken: string | null }): JSX.Element {
  return (
    <li class={`card escalation severity-${e.queueSeverity}`} data-escalation-id={e.id}>
      <h3 class="escalation-kind" safe>
        {KIND_LABEL[e.kind] ?? e.kind}
      </h3>
      <p class="meta">
        <strong
          class="severity"
          safe
        >{`${e.queueSeverity.charAt(0).toUpperCase()}${e.queueSeverity.slice(1)} severity`}</strong>{' '}
        · <span class={`status status-${e.status}`}>{e.status}</span> · raised <Time at={e.createdAt} />
        {e.raisedByName ? <span safe>{` by ${e.raisedByName}`}</span> : ' by the classifier'}
        {e.accountLabel ? <span safe>{` · ${e.accountLabel}`}</span> : ''}
        {e.authorHandle ? (
          <>
            {' · '}
            <AuthorName
              name={e.authorName ?? e.authorHandle}
              handle={e.authorHandle}
              platform={e.platform ?? undefined}
            />
          </>
        ) : (
          ''
        )}
      </p>
      <p class="reason">
        <PublicText text={e.reason} />
      </p>
      {e.policeReferral ? (
        <p class={`police-referral police-referral-${e.policeReferral}`} safe>
          {POLICE_STEP[e.policeReferral]}
        </p>
      ) : (
        ''
      )}
      {e.laterCommentIds.length ? (
        <p class="later-comments">
          <span
            safe
          >{`${e.laterCommentIds.length} later ${e.laterCommentIds.length === 1 ? 'comment' : 'comments'} by the same author joined this escalation: `}</span>
          {e.laterCommentIds.map((id, i) => (
            <>
              {i ? ', ' : ''}
              <a href={`/comments/${id}`} safe>{`comment ${i + 1}`}</a>
            </>
          ))}
        </p>
      ) : (
        ''
      )}
      {e.externalReference ? (
        <p>
          Reference: <PublicText text={e.externalReference} />
        </p>
      ) : (
        ''
      )}
      {e.commentExcerpt !== null ? (
        <blockquote class="comment-text">
          <PublicText text={e.commentExcerpt} />
        </blockquote>
      ) : (
        ''
      )}
      {e.labels.length ? <LabelChips labels={e.labels} /> : ''}
      {e.acknowledgedByName ? (
        <p class="muted">
          <span safe>{`Acknowledged by ${e.acknowledgedByName} `}</span>
          <Time at={e.acknowledgedAt} />
        </p>
      ) : (
        ''
      )}
      {e.closedAt ? (
        <p class="closed-note">
          <span safe>{`Closed by ${e.closedByName ?? 'someone'} `}</span>
          <Time at={e.closedAt} />
          {e.closingNote ? (
            <>
              {': '}
              <PublicText text={e.closingNote} />
            </>
          ) : (
            ''
          )}
        </p>
      ) : (
        ''
      )}
      {e.commentId ? <a href={`/comments/${e.commentId}`}>Open the comment</a> : ''}
      {csrfToken ? <ResolveForms e={e} csrfToken={csrfToken} /> : ''}
    </li>
  );
}

/**
 * Senior leaders' escalations queue (P6, P7): police referrals, unacceptable conduct, reports to the
 * platform and media enquiries, most severe first. Auditors read it; only senior leaders act.
 */
export function EscalationsPage({ user, csrfToken, flash, queue }: EscalationsPageProps): JSX.Element {
  const may = new Set(queue.canResolveAt);
  const readOnly = may.size === 0;
  return (
    <Layout title="Escalations" user={user} csrfToken={csrfToken} current="escalations">
      <main id="main">
        <h1>Escalations</h1>
        <Flash flash={flash} />
        <p class="help">
          Most severe first: a police referral, then the comment's severity, then unacceptable conduct,
          reports to the platform and media enquiries; the longest waiting first within each. An escalation is
          closed only with a note of what was done. Safeguarding concerns go to the safeguarding leads, not
          here.
        </p>
        {readOnly ? (
          <p class="notice" role="note">
            You can read this queue; only a senior leader acknowledges or closes an escalation.
          </p>
        ) : (
          ''
        )}
        <EscalationList
          id="open-h"
          title="Open escalations"
          counted
          items={queue.open}
          empty="No open escalations."
          card={(e) => <Item e={e} csrfToken={may.has(e.schoolId) ? csrfToken : null} />}
        />
        <EscalationList
          id="closed-h"
          title="Recently closed"
          items={queue.recentlyClosed}
          empty="None closed yet."
          card={(e) => <Item e={e} csrfToken={null} />}
        />
      </main>
    </Layout>
  );
}
