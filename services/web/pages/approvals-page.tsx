import type { AccountView } from '../../accounts/account-view.js';
import type { AccountApprovals } from '../../accounts/list-account-approvals.js';
import type { PendingResponseView } from '../../comments/list-pending-responses.js';
import type { ActionItem } from '../../moderation/list-flags.js';
import { AdminNames, ReviewForm } from '../components/account-bits.js';
import { ApproverNames } from '../components/approver-names.js';
import { PostForm, Time, words } from '../components/kit.js';
import { CommentLink, Quoted, RejectForm } from '../components/moderation-bits.js';
import { excerptOf, Flash, type FlashMessage, fieldId } from '../components/page-bits.js';
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

function DecisionForm({ a, csrfToken }: { a: AccountView; csrfToken: string }): JSX.Element {
  const note = fieldId('decision-note');
  const months = fieldId('review-months');
  return (
    <PostForm action={`/approvals/accounts/${a.id}/decision`} csrfToken={csrfToken} class="stack-form">
      <label for={note}>Decision note (required)</label>
      <textarea id={note} name="note" required maxlength="4000" rows="2"></textarea>
      <label for={months}>Review after (months)</label>
      <input id={months} name="reviewMonths" type="number" min="1" max="36" value="12" />
      <div class="buttons">
        <button type="submit" name="decision" value="approve">
          Approve
        </button>{' '}
        <button type="submit" name="decision" value="reject" class="secondary">
          Reject
        </button>
      </div>
    </PostForm>
  );
}

function ProposalCard({
  a,
  csrfToken,
  userId,
  names,
}: {
  a: AccountView;
  csrfToken: string;
  userId: string;
  names: ReadonlyMap<string, string>;
}): JSX.Element {
  return (
    <li class="card account-proposal" data-account-id={a.id}>
      <h3 safe>{a.label}</h3>
      <p>
        <span safe>{`Proposed by ${(a.proposedBy && names.get(a.proposedBy)) || 'unknown'} `}</span>
        <Time at={a.createdAt} />
      </p>
      <p>
        <strong>Purpose:</strong> <span safe>{a.purpose}</span>
      </p>
      <p>
        <strong>Audience:</strong> <span safe>{a.audience}</span>
      </p>
      <p>
        <strong>Admins:</strong> <AdminNames a={a} />
      </p>
      {a.proposedBy === userId ? (
        <p class="muted">You proposed this account: another senior leader must decide.</p>
      ) : (
        <DecisionForm a={a} csrfToken={csrfToken} />
      )}
    </li>
  );
}

function ReplyItem({
  r,
  csrfToken,
  actionable,
}: {
  r: PendingResponseView;
  csrfToken: string;
  actionable: boolean;
}): JSX.Element {
  return (
    <li class="card reply" data-response-id={r.id}>
      <p class="meta">
        <span safe>{`${r.comment.account} · ${words(r.kind)} drafted by ${r.draftedBy.name} `}</span>
        <Time at={r.createdAt} />
        {' · comment due '}
        <Time at={r.comment.deadlineAt} />
      </p>
      {r.why ? <p class="approval-why" safe>{`Needs approval: ${r.why}`}</p> : ''}
      {r.media ? (
        <p class="media-approvers">
          Approved only by <ApproverNames approvers={r.media.people} />
        </p>
      ) : (
        ''
      )}
      <p>In answer to:</p>
      <Quoted text={excerptOf(r.comment.text)} />
      {r.offline ? (
        <>
          <p>
            <span safe>{`Proposed offline response (${r.offline.channel ?? 'offline'}) to `}</span>
            <PublicText text={r.offline.contactPerson ?? 'someone'} />:
          </p>
          <blockquote class="reply-text">
            <PublicText text={r.offline.note ?? ''} />
          </blockquote>
        </>
      ) : (
        <>
          <p>Proposed reply:</p>
          <blockquote class="reply-text">
            <PublicText text={r.text} />
          </blockquote>
        </>
      )}
      <CommentLink commentId={r.comment.id} />
      {r.media && !r.media.mayDecide ? (
        <p class="muted">
          Only <ApproverNames approvers={r.media.people} /> may approve or reject a reply to a media enquiry.
        </p>
      ) : actionable ? (
        <>
          <PostForm action={`/approvals/replies/${r.id}/approve`} csrfToken={csrfToken} class="inline-form">
            <button type="submit">Approve and send</button>
          </PostForm>
          <RejectForm action={`/approvals/replies/${r.id}/reject`} csrfToken={csrfToken} />
        </>
      ) : (
        <p class="muted">Approve or reject this reply from the comment page.</p>
      )}
    </li>
  );
}

function ReviewCard({ a, csrfToken }: { a: AccountView; csrfToken: string }): JSX.Element {
  return (
    <li class="card review">
      <h3>
        <a href={`/accounts/${a.id}`} safe>
          {a.label}
        </a>
      </h3>
      <p>
        {a.governance.reviewOverdue ? (
          <>
            Review <strong>overdue</strong> since{' '}
          </>
        ) : (
          'Review due '
        )}
        <Time at={a.reviewDueAt} />
      </p>
      <ReviewForm
        account={a}
        csrfToken={csrfToken}
        returnTo="/approvals"
        outcomeLabel="Outcome"
        suspendLabel="Suspend the account"
      />
    </li>
  );
}

/** Senior leaders: account proposals, sensitive replies, confirmations, reviews due. */
export function ApprovalsPage(props: ApprovalsPageProps): JSX.Element {
  const { approvals, csrfToken } = props;
  return (
    <Layout title="Approvals" user={props.user} csrfToken={csrfToken} current="approvals">
      <main id="main">
        <h1>Approvals</h1>
        <Flash flash={props.flash} />
        <section aria-labelledby="proposals-h">
          <h2 id="proposals-h" safe>{`Account proposals (${approvals.awaitingDecision.length})`}</h2>
          {approvals.awaitingDecision.length === 0 ? (
            <p class="empty">No proposals to decide.</p>
          ) : (
            <ul class="cards">
              {approvals.awaitingDecision.map((a) => (
                <ProposalCard a={a} csrfToken={csrfToken} userId={props.userId} names={props.names} />
              ))}
            </ul>
          )}
        </section>
        <section aria-labelledby="replies-h">
          <h2 id="replies-h" safe>{`Sensitive replies awaiting approval (${props.replies.length})`}</h2>
          {props.replies.length === 0 ? (
            <p class="empty">No replies are waiting.</p>
          ) : (
            <ul class="cards">
              {props.replies.map((r) => (
                <ReplyItem r={r} csrfToken={csrfToken} actionable={props.repliesActionable} />
              ))}
            </ul>
          )}
        </section>
        <section aria-labelledby="confirm-h">
          <h2 id="confirm-h" safe>{`Actions awaiting a second admin (${props.confirmations.length})`}</h2>
          <p class="help">
            The account's other admin normally confirms. Confirm here only if they cannot, with a reason;
            everyone on the account is told.
          </p>
          {props.confirmations.length === 0 ? (
            <p class="empty">Nothing is waiting for confirmation.</p>
          ) : (
            <ul class="cards">
              {props.confirmations.map((a) => (
                <ProposalItem
                  action={a}
                  csrfToken={csrfToken}
                  returnTo="/approvals"
                  breakGlass={a.proposedBy !== props.userId}
                />
              ))}
            </ul>
          )}
        </section>
        <section aria-labelledby="reviews-h">
          <h2 id="reviews-h" safe>{`Account reviews due (${approvals.reviewsDue.length})`}</h2>
          {approvals.reviewsDue.length === 0 ? (
            <p class="empty">No reviews due in the next 30 days.</p>
          ) : (
            <ul class="cards">
              {approvals.reviewsDue.map((a) => (
                <ReviewCard a={a} csrfToken={csrfToken} />
              ))}
            </ul>
          )}
        </section>
        {approvals.atRisk.length > 0 ? (
          <section aria-labelledby="risk-h">
            <h2 id="risk-h">Accounts at risk</h2>
            <p class="help">Their admins have not acknowledged the current policy version in time.</p>
            <ul>
              {approvals.atRisk.map((a) => (
                <li>
                  <a href={`/accounts/${a.id}`} safe>
                    {a.label}
                  </a>
                  <span safe>
                    {`: ${a.governance.unacknowledged
                      .filter((u) => u.as === 'admin')
                      .map((u) => u.displayName)
                      .join(', ')}`}
                  </span>
                </li>
              ))}
            </ul>
          </section>
        ) : (
          ''
        )}
      </main>
    </Layout>
  );
}
