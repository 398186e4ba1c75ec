import { escapeHtml } from '@kitajs/html';
import type { ActionItem, Flags } from '../../moderation/list-flags.js';
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
import { SeverityBadge } from '../components/severity-badge.js';
import type { NavUser } from '../components/site-nav.js';
import { Layout } from '../layout.js';

export interface FlagsPageProps {
  user: NavUser;
  csrfToken: string;
  flash?: FlashMessage | null;
  flags: Flags;
}

const STATUS_TEXT: Record<string, string> = {
  proposed: 'awaiting a second admin',
  approved: 'approved, to be recorded',
  queued: 'queued',
  executing: 'being carried out',
  succeeded: 'done',
  failed: 'failed',
  rejected: 'rejected',
  expired: 'expired unconfirmed',
};

function commentLink(commentId: string | null): string {
  return commentId ? `<a href="/comments/${escapeHtml(commentId)}">Open the comment</a>` : '';
}

/** Confirm and reject forms for a proposal; `returnTo` is where the forms come back to. */
export function ProposalForms({
  action,
  csrfToken,
  returnTo,
  breakGlass,
}: {
  action: ActionItem;
  csrfToken: string;
  returnTo: '/flags' | '/approvals';
  /** Confirm as a senior leader in place of the second admin: a reason is required. */
  breakGlass?: boolean;
}): string {
  const id = escapeHtml(action.id);
  const reject = fieldId('reject-reason');
  const glass = fieldId('break-glass');
  const confirm = breakGlass
    ? `<form method="post" action="/web/actions/${id}/confirm" class="inline-form">${csrfField(csrfToken)}<input type="hidden" name="returnTo" value="${returnTo}" /><label for="${glass}">Reason to confirm without a second admin</label><input id="${glass}" name="breakGlassReason" required maxlength="2000" /><button type="submit">Confirm (break glass)</button></form>`
    : action.canConfirm
      ? `<form method="post" action="/web/actions/${id}/confirm" class="inline-form">${csrfField(csrfToken)}<input type="hidden" name="returnTo" value="${returnTo}" /><button type="submit">Confirm ${escapeHtml(action.kind)}</button></form>`
      : action.proposedByCaller
        ? '<p class="muted">You proposed this: another admin must confirm it.</p>'
        : '<p class="muted">One of the account’s admins confirms this.</p>';
  return (
    confirm +
    `<form method="post" action="/web/actions/${id}/reject" class="inline-form">${csrfField(csrfToken)}<input type="hidden" name="returnTo" value="${returnTo}" /><label for="${reject}">Reason to reject</label><input id="${reject}" name="reason" required maxlength="2000" /><button type="submit" class="secondary">Reject</button></form>`
  );
}

export function ProposalItem({
  action,
  csrfToken,
  returnTo,
  breakGlass,
}: {
  action: ActionItem;
  csrfToken: string;
  returnTo: '/flags' | '/approvals';
  breakGlass?: boolean;
}): string {
  return `<li class="card proposal" data-action-id="${escapeHtml(action.id)}"><p><strong>${escapeHtml(
    action.kind,
  )}</strong> on ${escapeHtml(action.accountLabel)}, proposed by ${escapeHtml(
    action.proposedByName ?? 'the system',
  )} ${when(action.createdAt)}; expires ${when(action.expiresAt, 'never')}</p><p>Reason: ${escapeHtml(
    action.reasonCategory.replaceAll('_', ' '),
  )}${action.reasonText ? ` — ${PublicText({ text: action.reasonText })}` : ''}</p>${quoted(
    action.commentExcerpt,
  )}${commentLink(action.commentId)}${ProposalForms({ action, csrfToken, returnTo, breakGlass: !!breakGlass })}</li>`;
}

function outcome(a: ActionItem): string {
  const status = STATUS_TEXT[a.status] ?? a.status;
  const cls = a.status === 'failed' ? 'outcome-failed' : a.status === 'succeeded' ? 'outcome-done' : '';
  return `<span class="outcome ${cls}">${escapeHtml(status)}</span>${
    a.status === 'failed' && a.error
      ? `: <span class="error-text">${PublicText({ text: a.error })}</span>`
      : ''
  }${a.status === 'rejected' && a.error ? ` (${PublicText({ text: a.error })})` : ''}`;
}

/** The admins' flags: offensive comments to act on, proposals to confirm, recent outcomes. */
export function FlagsPage({ user, csrfToken, flash, flags }: FlagsPageProps): JSX.Element {
  return (
    <Layout title="Flags" user={user} csrfToken={csrfToken} current="flags">
      <main id="main">
        <h1>Flags</h1>
        {Flash({ flash })}
        <section aria-labelledby="pending-h">
          <h2 id="pending-h">
            Awaiting a second admin: yours to confirm first ({String(flags.pending.length)})
          </h2>
          {flags.pending.length === 0 ? (
            <p class="empty">Nothing is waiting for confirmation.</p>
          ) : (
            <ul class="cards">
              {flags.pending.map((a) => ProposalItem({ action: a, csrfToken, returnTo: '/flags' })).join('')}
            </ul>
          )}
        </section>
        <section aria-labelledby="flagged-h">
          <h2 id="flagged-h">
            Comments flagged offensive, most severe first ({String(flags.flagged.length)})
          </h2>
          {flags.flagged.length === 0 ? (
            <p class="empty">No open offensive flags on your accounts.</p>
          ) : (
            <ul class="cards">
              {flags.flagged
                .map(
                  (c) =>
                    `<li class="card flagged"><p class="meta">${SeverityBadge({ severity: c.severity })} <span>${escapeHtml(c.accountLabel)}</span> <span>${
                      c.redacted ? 'author redacted' : PublicHandle({ handle: c.authorHandle })
                    }</span> ${when(c.postedAt)} · due ${when(c.deadlineAt)}</p>${quoted(
                      c.redacted ? null : c.text,
                      'Redacted under the retention policy',
                    )}<div>${labelChips(c.labels)}</div><a href="/comments/${escapeHtml(c.id)}">Act on this comment</a></li>`,
                )
                .join('')}
            </ul>
          )}
        </section>
        <section aria-labelledby="recent-h">
          <h2 id="recent-h">Recent actions</h2>
          {flags.recent.length === 0 ? (
            <p class="empty">No actions yet.</p>
          ) : (
            <section class="table-wrap" aria-label="Table, scrolls sideways" tabindex="0">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Action</th>
                    <th scope="col">Account</th>
                    <th scope="col">By</th>
                    <th scope="col">Outcome</th>
                    <th scope="col">Updated</th>
                  </tr>
                </thead>
                <tbody>
                  {flags.recent
                    .map(
                      (a) =>
                        `<tr><td>${escapeHtml(a.kind)} ${commentLink(a.commentId)}</td><td>${escapeHtml(
                          a.accountLabel,
                        )}</td><td>${escapeHtml(
                          a.system
                            ? 'automatic'
                            : `${a.proposedByName ?? '—'}${a.confirmedByName ? ` + ${a.confirmedByName}` : ''}`,
                        )}</td><td>${outcome(a)}</td><td>${when(a.updatedAt)}</td></tr>`,
                    )
                    .join('')}
                </tbody>
              </table>
            </section>
          )}
        </section>
      </main>
    </Layout>
  );
}
