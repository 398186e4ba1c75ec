import type { ActionItem, FlaggedComment, Flags } from '../../moderation/list-flags.js';
import { PostForm, Time, words } from '../components/kit.js';
import { CommentLink, LabelChips, Quoted, RejectForm, ReturnTo } from '../components/moderation-bits.js';
import { Flash, type FlashMessage, fieldId } from '../components/page-bits.js';
import { AuthorName, PublicText } from '../components/public-text.js';
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
}): JSX.Element {
  const confirmPath = `/web/actions/${action.id}/confirm`;
  const glass = fieldId('break-glass');
  return (
    <>
      {breakGlass ? (
        <PostForm action={confirmPath} csrfToken={csrfToken} class="inline-form">
          <ReturnTo path={returnTo} />
          <label for={glass}>Reason to confirm without a second admin</label>
          <input id={glass} name="breakGlassReason" required maxlength="2000" />
          <button type="submit">Confirm (break glass)</button>
        </PostForm>
      ) : action.canConfirm ? (
        <PostForm action={confirmPath} csrfToken={csrfToken} class="inline-form">
          <ReturnTo path={returnTo} />
          <button type="submit" safe>{`Confirm ${action.kind}`}</button>
        </PostForm>
      ) : action.proposedByCaller ? (
        <p class="muted">You proposed this: another admin must confirm it.</p>
      ) : (
        <p class="muted">One of the account’s admins confirms this.</p>
      )}
      <RejectForm action={`/web/actions/${action.id}/reject`} csrfToken={csrfToken} returnTo={returnTo} />
    </>
  );
}

/** A proposed action on a comment, with its confirm and reject forms. */
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
}): JSX.Element {
  return (
    <li class="card proposal" data-action-id={action.id}>
      <p>
        <strong safe>{action.kind}</strong>
        <span
          safe
        >{` on ${action.accountLabel}, proposed by ${action.proposedByName ?? 'the system'} `}</span>
        <Time at={action.createdAt} />
        {'; expires '}
        <Time at={action.expiresAt} empty="never" />
      </p>
      <p>
        <span safe>{`Reason: ${words(action.reasonCategory)}`}</span>
        {action.reasonText ? (
          <>
            {' — '}
            <PublicText text={action.reasonText} />
          </>
        ) : (
          ''
        )}
      </p>
      <Quoted text={action.commentExcerpt} />
      <CommentLink commentId={action.commentId} />
      <ProposalForms action={action} csrfToken={csrfToken} returnTo={returnTo} breakGlass={!!breakGlass} />
    </li>
  );
}

function Outcome({ a }: { a: ActionItem }): JSX.Element {
  const status = STATUS_TEXT[a.status] ?? a.status;
  const cls = a.status === 'failed' ? 'outcome-failed' : a.status === 'succeeded' ? 'outcome-done' : '';
  return (
    <>
      <span class={`outcome ${cls}`} safe>
        {status}
      </span>
      {a.status === 'failed' && a.error ? (
        <>
          {': '}
          <span class="error-text">
            <PublicText text={a.error} />
          </span>
        </>
      ) : (
        ''
      )}
      {a.status === 'rejected' && a.error ? (
        <>
          {' ('}
          <PublicText text={a.error} />
          {')'}
        </>
      ) : (
        ''
      )}
    </>
  );
}

/** "1 working hour", "90 working minutes". */
export function workingTime(minutes: number): string {
  if (minutes % 60 === 0) return `${minutes / 60} working hour${minutes === 60 ? '' : 's'}`;
  return `${minutes} working minutes`;
}

function FlaggedItem({ c }: { c: FlaggedComment }): JSX.Element {
  return (
    <li class="card flagged">
      <p class="meta">
        <SeverityBadge severity={c.severity} /> <span safe>{c.accountLabel}</span>{' '}
        <span>
          {c.redacted ? (
            'author redacted'
          ) : (
            <AuthorName name={c.authorName} handle={c.authorHandle} platform={c.platform} />
          )}
        </span>{' '}
        <Time at={c.postedAt} />
        {' · due '}
        <Time at={c.deadlineAt} />
      </p>
      <p class={c.overdue ? 'flag-target overdue' : 'flag-target'}>
        {c.overdue ? <strong>Past its handling target: </strong> : 'Handle by '}
        <Time at={c.handleBy} />
        <span safe>{` (the school handles offensive flags within ${workingTime(c.targetMinutes)})`}</span>
      </p>
      <Quoted text={c.redacted ? null : c.text} empty="Redacted under the retention policy" />
      <LabelChips labels={c.labels} />
      <CommentLink commentId={c.id} text="Act on this comment" />
    </li>
  );
}

function RecentRow({ a }: { a: ActionItem }): JSX.Element {
  const by = a.system
    ? 'automatic'
    : `${a.proposedByName ?? '—'}${a.confirmedByName ? ` + ${a.confirmedByName}` : ''}`;
  return (
    <tr>
      <td>
        <span safe>{a.kind}</span> <CommentLink commentId={a.commentId} />
      </td>
      <td safe>{a.accountLabel}</td>
      <td safe>{by}</td>
      <td>
        <Outcome a={a} />
      </td>
      <td>
        <Time at={a.updatedAt} />
      </td>
    </tr>
  );
}

/** The admins' flags: offensive comments to act on, proposals to confirm, recent outcomes. */
export function FlagsPage({ user, csrfToken, flash, flags }: FlagsPageProps): JSX.Element {
  return (
    <Layout title="Flags" user={user} csrfToken={csrfToken} current="flags">
      <main id="main">
        <h1>Flags</h1>
        <Flash flash={flash} />
        <section aria-labelledby="pending-h">
          <h2 id="pending-h" safe>
            {`Awaiting a second admin: yours to confirm first (${flags.pending.length})`}
          </h2>
          {flags.pending.length === 0 ? (
            <p class="empty">Nothing is waiting for confirmation.</p>
          ) : (
            <ul class="cards">
              {flags.pending.map((a) => (
                <ProposalItem action={a} csrfToken={csrfToken} returnTo="/flags" />
              ))}
            </ul>
          )}
        </section>
        <section aria-labelledby="flagged-h">
          <h2 id="flagged-h" safe>
            {`Comments flagged offensive, most severe first (${flags.flagged.length})`}
          </h2>
          {flags.flagged.length === 0 ? (
            <p class="empty">No open offensive flags on your accounts.</p>
          ) : (
            <ul class="cards">
              {flags.flagged.map((c) => (
                <FlaggedItem c={c} />
              ))}
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
                  {flags.recent.map((a) => (
                    <RecentRow a={a} />
                  ))}
                </tbody>
              </table>
            </section>
          )}
        </section>
      </main>
    </Layout>
  );
}
