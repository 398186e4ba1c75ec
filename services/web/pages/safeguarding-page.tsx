import { escapeHtml } from '@kitajs/html';
import type { EscalationItem, SafeguardingEscalations } from '../../moderation/list-escalations.js';
import {
  csrfField,
  Flash,
  type FlashMessage,
  fieldId,
  labelChips,
  quoted,
  when,
} from '../components/page-bits.js';
import { PublicHandle, PublicText } from '../components/public-text.js';
import type { NavUser } from '../components/site-nav.js';
import { Layout } from '../layout.js';

export interface SafeguardingPageProps {
  user: NavUser;
  csrfToken: string;
  flash?: FlashMessage | null;
  escalations: SafeguardingEscalations;
}

function resolveForm(e: EscalationItem, csrfToken: string): string {
  const note = fieldId('note');
  const outcome = fieldId('outcome');
  const options =
    e.status === 'open'
      ? '<option value="acknowledge">Acknowledge: I am dealing with it</option><option value="close">Close: dealt with</option>'
      : '<option value="close">Close: dealt with</option>';
  return `<form method="post" action="/safeguarding/${escapeHtml(e.id)}/resolve" class="stack-form">${csrfField(
    csrfToken,
  )}<label for="${outcome}">Outcome</label><select id="${outcome}" name="outcome">${options}</select><label for="${note}">Note (required: what you did or decided)</label><textarea id="${note}" name="note" required maxlength="4000" rows="2"></textarea><button type="submit">Record</button></form>`;
}

function item(e: EscalationItem, csrfToken: string | null): string {
  return `<li class="card escalation severity-${e.severity}" data-escalation-id="${escapeHtml(e.id)}"><p class="meta"><strong class="severity">${escapeHtml(
    e.severity,
  )} severity</strong> · ${escapeHtml(e.status)} · raised ${when(e.createdAt)}${e.raisedByName ? ` by ${escapeHtml(e.raisedByName)}` : ''}${
    e.accountLabel ? ` · ${escapeHtml(e.accountLabel)}` : ''
  }${e.authorHandle ? ` · ${PublicHandle({ handle: e.authorHandle })}` : ''}</p><p class="reason">${PublicText(
    {
      text: e.reason,
    },
  )}</p>${quoted(e.commentExcerpt)}<div>${labelChips(e.labels)}</div>${
    e.acknowledgedByName
      ? `<p class="muted">Acknowledged by ${escapeHtml(e.acknowledgedByName)} ${when(e.acknowledgedAt)}</p>`
      : ''
  }${e.closedAt ? `<p class="muted">Closed ${when(e.closedAt)}</p>` : ''}${
    e.commentId ? `<a href="/comments/${escapeHtml(e.commentId)}">Open the comment</a>` : ''
  }${csrfToken ? resolveForm(e, csrfToken) : ''}</li>`;
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
        {Flash({ flash })}
        <p class="help">
          Escalations stay open until a safeguarding lead closes them with a note; nothing closes them
          automatically.
        </p>
        <section aria-labelledby="open-h">
          <h2 id="open-h">Open escalations ({String(escalations.open.length)})</h2>
          {escalations.open.length === 0 ? (
            <p class="empty">No open safeguarding escalations.</p>
          ) : (
            <ol class="cards">{escalations.open.map((e) => item(e, csrfToken)).join('')}</ol>
          )}
        </section>
        <section aria-labelledby="closed-h">
          <h2 id="closed-h">Recently closed</h2>
          {escalations.recentlyClosed.length === 0 ? (
            <p class="empty">None closed yet.</p>
          ) : (
            <ol class="cards">{escalations.recentlyClosed.map((e) => item(e, null)).join('')}</ol>
          )}
        </section>
      </main>
    </Layout>
  );
}
