import type { FollowUpItem } from '../../comments/list-follow-ups.js';
import { Time } from '../components/kit.js';
import { Flash, type FlashMessage } from '../components/page-bits.js';
import { AuthorName, PublicText } from '../components/public-text.js';
import type { NavUser } from '../components/site-nav.js';
import { Layout } from '../layout.js';

export interface FollowUpsPageProps {
  user: NavUser;
  csrfToken: string;
  flash?: FlashMessage | null;
  items: FollowUpItem[];
}

/** P2: comments acknowledged by a holding reply or contact and not yet answered in full. */
export function FollowUpsPage(props: FollowUpsPageProps): JSX.Element {
  const overdue = props.items.filter((i) => i.overdue).length;
  return (
    <Layout title="Follow-up queue" user={props.user} csrfToken={props.csrfToken} current="deadlines">
      <main id="main">
        <h1>Follow-up queue</h1>
        {Flash({ flash: props.flash })}
        <p class="help">
          A holding reply meets the response deadline, but the commenter is still owed a full answer. These
          comments stay here until someone replies, records an offline answer, closes them with a reason or
          moderates them. Each has the school's follow-up target (set on the school settings page).
        </p>
        <p id="follow-up-summary" safe>
          {`${props.items.length} awaiting a full answer; ${overdue} past the follow-up target.`}
        </p>
        {props.items.length === 0 ? (
          <p class="empty">Nothing is waiting for a full answer.</p>
        ) : (
          <ol class="follow-ups">
            {props.items.map((i) => (
              <li class={i.overdue ? 'follow-up overdue' : 'follow-up'}>
                <a href={`/comments/${i.id}`}>
                  <AuthorName name={i.authorName} handle={i.authorHandle} platform={i.platform} />
                </a>{' '}
                on <span safe>{i.accountLabel}</span>
                {i.redacted ? (
                  <em> (text redacted)</em>
                ) : (
                  <blockquote>
                    <PublicText text={i.text} />
                  </blockquote>
                )}
                <p>
                  Held since <Time at={i.firstResponseAt} />;{' '}
                  {i.overdue ? <strong>past its follow-up target</strong> : 'full answer due by'}{' '}
                  <Time at={i.followUpDueAt} />
                </p>
              </li>
            ))}
          </ol>
        )}
      </main>
    </Layout>
  );
}
