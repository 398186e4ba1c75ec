import { escapeHtml } from '@kitajs/html';
import type { AccountView } from '../../accounts/account-view.js';
import type { AccountApprovals } from '../../accounts/list-account-approvals.js';
import type { PendingResponseView } from '../../comments/list-pending-responses.js';
import type { ActionItem } from '../../moderation/list-flags.js';
import {
  csrfField,
  excerptOf,
  Flash,
  type FlashMessage,
  fieldId,
  quoted,
  when,
} from '../components/page-bits.js';
import { PublicText } from '../components/public-text.js';
import type { NavUser } from '../components/site-nav.js';
import { Layout } from '../layout.js';
import { ProposalItem } from './flags-page.js';

export interface ApprovalsPageProps {
  user: NavUser;
  userId: string;
  csrfToken: string;
  flash?: FlashMessage | null;
  approvals: AccountApprovals;
  replies: PendingResponseView[];
  /** Whether the approve/reject routes for sensitive replies exist; if not, the list is read-only. */
  repliesActionable: boolean;
  confirmations: ActionItem[];
  /** Names of the people proposing accounts, by user id. */
  names: ReadonlyMap<string, string>;
}

function adminsOf(a: AccountView): string {
  return a.admins.map((x) => escapeHtml(x.displayName)).join(', ') || 'none';
}

function decisionForm(a: AccountView, csrfToken: string): string {
  const note = fieldId('decision-note');
  const months = fieldId('review-months');
  return `<form method="post" action="/approvals/accounts/${escapeHtml(a.id)}/decision" class="stack-form">${csrfField(
    csrfToken,
  )}<label for="${note}">Decision note (required)</label><textarea id="${note}" name="note" required maxlength="4000" rows="2"></textarea><label for="${months}">Review after (months)</label><input id="${months}" name="reviewMonths" type="number" min="1" max="36" value="12" /><div class="buttons"><button type="submit" name="decision" value="approve">Approve</button> <button type="submit" name="decision" value="reject" class="secondary">Reject</button></div></form>`;
}

function reviewForm(a: AccountView, csrfToken: string): string {
  const note = fieldId('review-note');
  const outcome = fieldId('review-outcome');
  return `<form method="post" action="/accounts/${escapeHtml(a.id)}/review" class="stack-form">${csrfField(
    csrfToken,
  )}<input type="hidden" name="returnTo" value="/approvals" /><label for="${outcome}">Outcome</label><select id="${outcome}" name="outcome"><option value="reapprove">Re-approve for another period</option><option value="suspend">Suspend the account</option></select><label for="${note}">Review note (required)</label><textarea id="${note}" name="note" required maxlength="4000" rows="2"></textarea><button type="submit">Record review</button></form>`;
}

function replyItem(r: PendingResponseView, csrfToken: string, actionable: boolean): string {
  const reason = fieldId('reply-reason');
  const forms = actionable
    ? `<form method="post" action="/approvals/replies/${escapeHtml(r.id)}/approve" class="inline-form">${csrfField(
        csrfToken,
      )}<button type="submit">Approve and send</button></form><form method="post" action="/approvals/replies/${escapeHtml(
        r.id,
      )}/reject" class="inline-form">${csrfField(csrfToken)}<label for="${reason}">Reason to reject</label><input id="${reason}" name="reason" required maxlength="2000" /><button type="submit" class="secondary">Reject</button></form>`
    : '<p class="muted">Approve or reject this reply from the comment page.</p>';
  return `<li class="card reply" data-response-id="${escapeHtml(r.id)}"><p class="meta">${escapeHtml(
    r.comment.account,
  )} · ${escapeHtml(r.kind.replaceAll('_', ' '))} drafted by ${escapeHtml(r.draftedBy.name)} ${when(
    r.createdAt,
  )} · comment due ${when(r.comment.deadlineAt)}</p><p>In answer to:</p>${quoted(
    excerptOf(r.comment.text),
  )}<p>Proposed reply:</p><blockquote class="reply-text">${PublicText({
    text: r.text,
  })}</blockquote><a href="/comments/${escapeHtml(r.comment.id)}">Open the comment</a>${forms}</li>`;
}

/** Senior leaders: account proposals, sensitive replies, confirmations, reviews due. */
export function ApprovalsPage(props: ApprovalsPageProps): JSX.Element {
  const { approvals, csrfToken } = props;
  return (
    <Layout title="Approvals" user={props.user} csrfToken={csrfToken} current="approvals">
      <main id="main">
        <h1>Approvals</h1>
        {Flash({ flash: props.flash })}
        <section aria-labelledby="proposals-h">
          <h2 id="proposals-h">Account proposals ({String(approvals.awaitingDecision.length)})</h2>
          {approvals.awaitingDecision.length === 0 ? (
            <p class="empty">No proposals to decide.</p>
          ) : (
            <ul class="cards">
              {approvals.awaitingDecision
                .map(
                  (a) =>
                    `<li class="card account-proposal" data-account-id="${escapeHtml(a.id)}"><h3>${escapeHtml(
                      a.label,
                    )}</h3><p>Proposed by ${escapeHtml(
                      (a.proposedBy && props.names.get(a.proposedBy)) || 'unknown',
                    )} ${when(a.createdAt)}</p><p><strong>Purpose:</strong> ${escapeHtml(
                      a.purpose,
                    )}</p><p><strong>Audience:</strong> ${escapeHtml(a.audience)}</p><p><strong>Admins:</strong> ${adminsOf(
                      a,
                    )}</p>${
                      a.proposedBy === props.userId
                        ? '<p class="muted">You proposed this account: another senior leader must decide.</p>'
                        : decisionForm(a, csrfToken)
                    }</li>`,
                )
                .join('')}
            </ul>
          )}
        </section>
        <section aria-labelledby="replies-h">
          <h2 id="replies-h">Sensitive replies awaiting approval ({String(props.replies.length)})</h2>
          {props.replies.length === 0 ? (
            <p class="empty">No replies are waiting.</p>
          ) : (
            <ul class="cards">
              {props.replies.map((r) => replyItem(r, csrfToken, props.repliesActionable)).join('')}
            </ul>
          )}
        </section>
        <section aria-labelledby="confirm-h">
          <h2 id="confirm-h">Actions awaiting a second admin ({String(props.confirmations.length)})</h2>
          <p class="help">
            The account's other admin normally confirms. Confirm here only if they cannot, with a reason;
            everyone on the account is told.
          </p>
          {props.confirmations.length === 0 ? (
            <p class="empty">Nothing is waiting for confirmation.</p>
          ) : (
            <ul class="cards">
              {props.confirmations
                .map((a) =>
                  ProposalItem({
                    action: a,
                    csrfToken,
                    returnTo: '/approvals',
                    breakGlass: a.proposedBy !== props.userId,
                  }),
                )
                .join('')}
            </ul>
          )}
        </section>
        <section aria-labelledby="reviews-h">
          <h2 id="reviews-h">Account reviews due ({String(approvals.reviewsDue.length)})</h2>
          {approvals.reviewsDue.length === 0 ? (
            <p class="empty">No reviews due in the next 30 days.</p>
          ) : (
            <ul class="cards">
              {approvals.reviewsDue
                .map(
                  (a) =>
                    `<li class="card review"><h3><a href="/accounts/${escapeHtml(a.id)}">${escapeHtml(
                      a.label,
                    )}</a></h3><p>Review ${a.governance.reviewOverdue ? '<strong>overdue</strong> since' : 'due'} ${when(
                      a.reviewDueAt,
                    )}</p>${reviewForm(a, csrfToken)}</li>`,
                )
                .join('')}
            </ul>
          )}
        </section>
        {approvals.atRisk.length > 0 ? (
          <section aria-labelledby="risk-h">
            <h2 id="risk-h">Accounts at risk</h2>
            <p class="help">Their admins have not acknowledged the current policy version in time.</p>
            <ul>
              {approvals.atRisk
                .map(
                  (a) =>
                    `<li><a href="/accounts/${escapeHtml(a.id)}">${escapeHtml(a.label)}</a>: ${a.governance.unacknowledged
                      .filter((u) => u.as === 'admin')
                      .map((u) => escapeHtml(u.displayName))
                      .join(', ')}</li>`,
                )
                .join('')}
            </ul>
          </section>
        ) : (
          ''
        )}
      </main>
    </Layout>
  );
}
