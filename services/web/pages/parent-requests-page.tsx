import type { ParentRequestItem } from '../../moderation/parent-requests.js';
import { PostForm, Time } from '../components/kit.js';
import { Flash, type FlashMessage } from '../components/page-bits.js';
import { AuthorName } from '../components/public-text.js';
import type { NavUser } from '../components/site-nav.js';
import { Layout } from '../layout.js';

export interface ParentRequestsPageProps {
  user: NavUser;
  csrfToken: string;
  flash?: FlashMessage | null;
  items: ParentRequestItem[];
  now: Date;
}

const STATE_WORDS: Record<string, string> = {
  awaiting: 'Awaiting removal',
  removed: 'Removed by the parent',
  escalated: 'Escalated to senior leaders',
};

/** "3 days", "5 hours": how long a request has waited. */
function age(from: Date, to: Date): string {
  const hours = Math.max(0, Math.floor((to.getTime() - from.getTime()) / 3_600_000));
  if (hours < 48) return `${hours} hour${hours === 1 ? '' : 's'}`;
  return `${Math.floor(hours / 24)} days`;
}

/**
 * P9's tracking list: each parent asked to remove a comment, with its state and age, until the
 * comment is gone from the platform (read back on each poll) or someone escalates it.
 */
export function ParentRequestsPage(props: ParentRequestsPageProps): JSX.Element {
  const awaiting = props.items.filter((i) => i.state === 'awaiting');
  return (
    <Layout title="Parent requests" user={props.user} csrfToken={props.csrfToken} current="flags">
      <main id="main">
        <h1>Parent requests</h1>
        {Flash({ flash: props.flash })}
        <p class="help">
          A parent or carer whose comment broke the house rules is asked to remove it and invited to talk,
          with the complaints procedure (policy 002 §5 Parents/Carers). Each request stays here until the
          platform shows the comment gone (checked on every poll, where the platform can say) or someone
          escalates it to the senior leaders.
        </p>
        <p id="parent-requests-summary" safe>
          {`${awaiting.length} awaiting removal; ${props.items.length - awaiting.length} resolved.`}
        </p>
        {props.items.length === 0 ? (
          <p class="empty">No parent has been asked to remove a comment.</p>
        ) : (
          <table class="parent-requests">
            <thead>
              <tr>
                <th scope="col">Comment</th>
                <th scope="col">Asked</th>
                <th scope="col">State</th>
                <th scope="col">Age</th>
                <th scope="col">Next</th>
              </tr>
            </thead>
            <tbody>
              {props.items.map((i) => (
                <tr class={`parent-request state-${i.state}`} data-request-id={i.id}>
                  <td>
                    <a href={`/comments/${i.commentId}`}>
                      {i.authorHandle ? (
                        <AuthorName name={i.authorName} handle={i.authorHandle} platform={i.platform} />
                      ) : (
                        'Redacted'
                      )}
                    </a>{' '}
                    on <span safe>{i.account}</span>
                  </td>
                  <td>
                    <span
                      safe
                    >{`${i.contact === 'private' ? 'Private message' : 'Public notice'} by ${i.requestedBy}, `}</span>
                    <Time at={i.requestedAt} />
                  </td>
                  <td>
                    <strong safe>{STATE_WORDS[i.state] ?? i.state}</strong>
                    {i.state === 'awaiting' ? (
                      <div class="muted">
                        {i.readBack ? (
                          <>
                            Last checked on the platform: <Time at={i.checkedAt} empty="not yet" />
                          </>
                        ) : (
                          'This platform cannot say when a comment is removed: check it in the app, then escalate or leave it.'
                        )}
                      </div>
                    ) : (
                      <div class="muted">
                        <Time at={i.resolvedAt} />
                      </div>
                    )}
                  </td>
                  <td safe>{age(i.requestedAt, i.resolvedAt ?? props.now)}</td>
                  <td>
                    {i.state === 'awaiting' ? (
                      <PostForm action={`/parent-requests/${i.id}/escalate`} csrfToken={props.csrfToken}>
                        <label for={`escalate-${i.id}`}>Why escalate</label>
                        <input id={`escalate-${i.id}`} name="reason" required maxlength="4000" />
                        <button type="submit" class="secondary">
                          Escalate to senior leaders
                        </button>
                      </PostForm>
                    ) : (
                      ''
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </main>
    </Layout>
  );
}
