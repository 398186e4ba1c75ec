import type { EscalationItem, SafeguardingEscalations } from '../../moderation/list-escalations.js';
import { EscalationList } from '../components/escalation-list.js';
import { PostForm, Time } from '../components/kit.js';
import { CommentLink, LabelChips, Quoted } from '../components/moderation-bits.js';
import { Flash, type FlashMessage, fieldId } from '../components/page-bits.js';
import { AuthorName, PublicText } from '../components/public-text.js';
import type { NavUser } from '../components/site-nav.js';
import { Layout } from '../layout.js';

export interface SafeguardingPageProps {
  user: NavUser;
  csrfToken: string;
  flash?: FlashMessage | null;
  escalations: SafeguardingEscalations;
}

function ResolveForm({ e, csrfToken }: { e: EscalationItem; csrfToken: string }): JSX.Element {
  const note = fieldId('note');
  const outcome = fieldId('outcome');
  return (
    <PostForm action={`/safeguarding/${e.id}/resolve`} csrfToken={csrfToken} class="stack-form">
      <label for={outcome}>Outcome</label>
      <select id={outcome} name="outcome">
        {e.status === 'open' ? <option value="acknowledge">Acknowledge: I am dealing with it</option> : ''}
        <option value="close">Close: dealt with</option>
      </select>
      <label for={note}>Note (required: what you did or decided)</label>
      <textarea id={note} name="note" required maxlength="4000" rows="2"></textarea>
      <button type="submit">Record</button>
    </PostForm>
  );
}

function Item({ e, csrfToken }: { e: EscalationItem; csrfToken: string | null }): JSX.Element {
  return (
    <li class={`card escalation severity-${e.severity}`} data-escalation-id={e.id}>
      <p class="meta">
        <strong class="severity" safe>{`${e.severity} severity`}</strong>
        <span safe>{` · ${e.status} · raised `}</span>
        <Time at={e.createdAt} />
        {e.raisedByName ? <span safe>{` by ${e.raisedByName}`}</span> : ''}
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
      <Quoted text={e.commentExcerpt} />
      <LabelChips labels={e.labels} />
      {e.acknowledgedByName ? (
        <p class="muted">
          <span safe>{`Acknowledged by ${e.acknowledgedByName} `}</span>
          <Time at={e.acknowledgedAt} />
        </p>
      ) : (
        ''
      )}
      {e.closedAt ? (
        <p class="muted">
          Closed <Time at={e.closedAt} />
        </p>
      ) : (
        ''
      )}
      <CommentLink commentId={e.commentId} />
      {csrfToken ? <ResolveForm e={e} csrfToken={csrfToken} /> : ''}
    </li>
  );
}

/** Safeguarding leads: open escalations, most severe and newest first; only a lead closes one. */
export function SafeguardingPage({
  user,
  csrfToken,
  flash,
  escalations,
}: SafeguardingPageProps): JSX.Element {
  return (
    <Layout title="Safeguarding" user={user} csrfToken={csrfToken} current="safeguarding">
      <main id="main">
        <h1>Safeguarding</h1>
        <Flash flash={flash} />
        <p class="help">
          Escalations stay open until a safeguarding lead closes them with a note; nothing closes them
          automatically.
        </p>
        <EscalationList
          id="open-h"
          title="Open escalations"
          counted
          items={escalations.open}
          empty="No open safeguarding escalations."
          card={(e) => <Item e={e} csrfToken={csrfToken} />}
        />
        <EscalationList
          id="closed-h"
          title="Recently closed"
          items={escalations.recentlyClosed}
          empty="None closed yet."
          card={(e) => <Item e={e} csrfToken={null} />}
        />
      </main>
    </Layout>
  );
}
