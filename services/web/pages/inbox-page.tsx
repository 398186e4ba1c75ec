import { escapeHtml } from '@kitajs/html';
import { URGENCY_EXPLANATION } from '../../comments/inbox-urgency.js';
import type { InboxItem } from '../../comments/list-inbox.js';
import {
  heldByPlatformText,
  PLATFORM_NAMES,
  platformDisplayName,
  platformProfiles,
} from '../../platforms/platform-profiles.js';
import { AtRiskBanner } from '../components/account-risk.js';
import { CsrfField } from '../components/csrf-field.js';
import { HighlightedText } from '../components/highlighted-text.js';
import { Option, Time } from '../components/kit.js';
import { Flash, type FlashMessage } from '../components/page-bits.js';
import { AccountName, AuthorName, namesPeople } from '../components/public-text.js';
import { SeverityBadge, UrgencyBadge } from '../components/severity-badge.js';
import type { NavUser } from '../components/site-nav.js';
import { Layout } from '../layout.js';

type AtRiskAccount = { accountId: string; label: string; reasons: string[]; dueAt: string; overdue: boolean };

export interface InboxPageProps {
  /** P4/P8: the person's accounts at risk, red once overdue. */
  atRisk?: AtRiskAccount[];
  userName: string;
  /** The signed-in person, for the navigation bar; without it the page shows its own small header. */
  user?: NavUser | undefined;
  csrfToken: string;
  /** Fixed text about the last bulk action (never from the request); escaped here. */
  notice?: string | undefined;
  /** The message a bulk assign or close came back with. */
  flash?: FlashMessage | null | undefined;
  items: InboxItem[];
  next: string | null;
  filter: {
    status: string;
    category?: string | undefined;
    accountId?: string | undefined;
    assignee?: string | undefined;
    platform?: string | undefined;
    q?: string | undefined;
  };
  accounts: { id: string; handle: string }[];
  /** Comms staff and senior leaders: the assignee filter and the bulk assign's choices. */
  people: { id: string; name: string }[];
  now: Date;
}

const CATEGORY_NAMES: Record<string, string> = {
  offensive: 'Offensive',
  safeguarding: 'Safeguarding',
  personal_data: 'Personal data',
  media_enquiry: 'Media enquiry',
  complaint: 'Complaint',
  spam: 'Spam',
};

function Labels({ item }: { item: InboxItem }): JSX.Element {
  const seen = new Map<string, string>();
  for (const l of item.labels) {
    const key = `${l.category}/${l.subcategory}`;
    if (!seen.has(key)) seen.set(key, l.severity);
  }
  return (
    <>
      {[...seen.entries()].map(([key, severity]) => {
        const [category = '', sub = ''] = key.split('/');
        return (
          <>
            <span
              class={`label label-${category} severity-${severity}`}
              title={`${severity} severity`}
              safe
            >{`${CATEGORY_NAMES[category] ?? category}: ${sub.replaceAll('_', ' ')}`}</span>{' '}
          </>
        );
      })}
    </>
  );
}

function Row({ item, index }: { item: InboxItem; index: number }): JSX.Element {
  const spans = item.labels.flatMap((l) => l.spans);
  const link = item.url && /^https:\/\//.test(item.url) ? item.url : null;
  return (
    <li
      class={`comment status-${item.status}${item.breachedAt ? ' breached' : ''}`}
      data-index={String(index)}
      data-id={item.id}
      data-urgency={String(item.urgency)}
      data-deadline={item.deadlineAt?.toISOString()}
      tabindex="0"
    >
      <div class="comment-meta">
        <input
          type="checkbox"
          class="select-comment"
          name="commentIds"
          value={item.id}
          form="bulk-ack"
          aria-label="Select this comment"
        />
        <a class="open-comment" href={`/comments/${item.id}`}>
          Open
        </a>
        <span class="account">
          <AccountName platform={item.platform} handle={item.accountHandle} />
        </span>
        <span class="author">
          <AuthorName name={item.authorName} handle={item.authorHandle} platform={item.platform} />
        </span>
        <UrgencyBadge urgency={item.urgency} />
        <SeverityBadge severity={item.severity} />
        {item.heldByPlatform ? (
          <span class="held-badge" safe>
            {heldByPlatformText(item.platform)}
          </span>
        ) : (
          ''
        )}
        <span class="assignee">
          {item.assigneeName ? (
            <>
              Assigned to <span safe>{item.assigneeName}</span>
            </>
          ) : (
            'Unassigned'
          )}
        </span>
        <Time class="posted" at={item.postedAt} />
        {item.dueState === 'responded' ? (
          <span class="deadline done">Responded</span>
        ) : item.dueState === 'closed' ? (
          <span class="deadline done">Closed</span>
        ) : item.deadlineAt ? (
          <span class="deadline">
            due <Time class="countdown" at={item.deadlineAt} data-posted={item.postedAt.toISOString()} />
          </span>
        ) : (
          <span class="deadline pending">deadline being set</span>
        )}
      </div>
      <p class="comment-text">
        {item.redacted ? (
          <em>Redacted under the retention policy</em>
        ) : (
          <HighlightedText text={item.text} spans={spans} />
        )}
      </p>
      <div class="comment-labels">
        <Labels item={item} />
      </div>
      {link ? (
        <a class="platform-link" href={link} rel="noopener noreferrer" target="_blank" safe>
          {`View on ${platformDisplayName(item.platform)}`}
        </a>
      ) : (
        ''
      )}
    </li>
  );
}

/** The comms team's inbox: every comment of their accounts, soonest deadline first. */
export function InboxPage(props: InboxPageProps): JSX.Element {
  const { filter } = props;
  const query = new URLSearchParams({ status: filter.status });
  if (filter.category) query.set('category', filter.category);
  if (filter.accountId) query.set('accountId', filter.accountId);
  if (filter.assignee) query.set('assignee', filter.assignee);
  if (filter.platform) query.set('platform', filter.platform);
  if (filter.q) query.set('q', filter.q);
  const defaultView =
    filter.status === 'open' &&
    !filter.category &&
    !filter.accountId &&
    !filter.assignee &&
    !filter.platform &&
    !filter.q;
  return (
    <Layout title="Inbox" user={props.user} csrfToken={props.csrfToken} current="inbox">
      {props.user ? (
        ''
      ) : (
        <header class="top">
          <strong>Hallmonitor</strong>
          <nav aria-label="Main">
            <a href="/" aria-current="page">
              Inbox
            </a>
            <a href="/docs">API</a>
          </nav>
          <form method="post" action="/auth/sign-out" class="sign-out">
            <CsrfField token={props.csrfToken} />
            <span safe>{props.userName}</span> <button type="submit">Sign out</button>
          </form>
        </header>
      )}
      <main id="main">
        <h1>Inbox</h1>
        <AtRiskBanner accounts={props.atRisk} />
        <p class="order-explained">{URGENCY_EXPLANATION}</p>
        <form method="get" action="/" class="filters" aria-label="Filter comments">
          <label>
            Search <input type="search" name="q" value={filter.q ?? ''} maxlength="200" />
          </label>
          <label>
            Status{' '}
            <select name="status">
              <Option value="open" label="Open" selected={filter.status} />
              <Option value="responded" label="Responded" selected={filter.status} />
              <Option value="closed" label="Closed" selected={filter.status} />
              <Option value="all" label="All" selected={filter.status} />
            </select>
          </label>
          <label>
            Label{' '}
            <select name="category">
              <Option value="" label="Any" selected={filter.category ?? ''} />
              {Object.entries(CATEGORY_NAMES).map(([value, label]) => (
                <Option value={value} label={label} selected={filter.category ?? ''} />
              ))}
            </select>
          </label>
          <label>
            Account{' '}
            <select name="accountId">
              <Option value="" label="All accounts" selected={filter.accountId ?? ''} />
              {props.accounts.map((a) => (
                <Option value={a.id} label={`@${a.handle}`} selected={filter.accountId ?? ''} />
              ))}
            </select>
          </label>
          <label>
            Platform{' '}
            <select name="platform">
              <Option value="" label="All platforms" selected={filter.platform ?? ''} />
              {platformProfiles().map((p) => (
                <Option value={p.platform} label={p.displayName} selected={filter.platform ?? ''} />
              ))}
            </select>
          </label>
          <label>
            Assigned to{' '}
            <select name="assignee">
              <Option value="" label="Any or nobody" selected={filter.assignee ?? ''} />
              <Option value="me" label="Me" selected={filter.assignee ?? ''} />
              <Option value="none" label="Nobody" selected={filter.assignee ?? ''} />
              {props.people.map((p) => (
                <Option value={p.id} label={p.name} selected={filter.assignee ?? ''} />
              ))}
            </select>
          </label>
          <button type="submit">Filter</button>
        </form>
        <Flash flash={props.flash} />
        {props.notice ? (
          <p class="flash flash-ok" role="status" safe>
            {props.notice}
          </p>
        ) : (
          ''
        )}
        <p class="live-notice" role="status" aria-live="polite" hidden>
          <span class="live-count"></span>{' '}
          <button type="button" class="live-show">
            Show
          </button>
        </p>
        <p class="live-later" role="status" hidden></p>
        <form id="bulk-ack" method="post" action="/inbox/acknowledge" class="bulk-actions">
          <fieldset>
            <legend>With the selected comments</legend>
            <CsrfField token={props.csrfToken} />
            <button type="submit" title="Sends the school's holding reply to each selected comment">
              Acknowledge (send holding reply)
            </button>
            <span class="bulk-group">
              <label>
                Assign to{' '}
                <select name="assigneeId">
                  <Option value="" label="Nobody (unassign)" />
                  {props.people.map((p) => (
                    <Option value={p.id} label={p.name} />
                  ))}
                </select>
              </label>
              <button type="submit" formaction="/inbox/assign">
                Assign
              </button>
            </span>
            <span class="bulk-group">
              <label>
                No response needed because <input name="reason" maxlength="2000" />
              </label>
              <button type="submit" formaction="/inbox/close">
                Close
              </button>
            </span>
          </fieldset>
        </form>
        {props.items.length === 0 ? (
          <p class="empty">Nothing here: every comment in this view has been dealt with.</p>
        ) : (
          ''
        )}
        <ol
          class="inbox"
          data-live={defaultView ? 'on' : 'off'}
          data-named-platforms={PLATFORM_NAMES.filter(namesPeople).join(' ')}
        >
          {props.items.map((item, index) => (
            <Row item={item} index={index} />
          ))}
        </ol>
        {props.next ? (
          <a
            class="next-page"
            href={escapeHtml(
              `/?${new URLSearchParams({ ...Object.fromEntries(query), after: props.next }).toString()}`,
            )}
          >
            Later deadlines
          </a>
        ) : (
          ''
        )}
        <p class="help">
          Keys: <kbd>j</kbd> / <kbd>k</kbd> move, <kbd>Enter</kbd> open, <kbd>r</kbd> reply, <kbd>h</kbd>{' '}
          hide, <kbd>e</kbd> escalate, <kbd>?</kbd> all shortcuts.
        </p>
        <dialog id="shortcut-help" aria-labelledby="shortcut-help-title">
          <h2 id="shortcut-help-title">Keyboard shortcuts</h2>
          <dl class="shortcuts">
            <dt>j / k</dt>
            <dd>next / previous comment</dd>
            <dt>Enter or o</dt>
            <dd>open the comment</dd>
            <dt>r</dt>
            <dd>reply (opens the comment at the composer)</dd>
            <dt>h</dt>
            <dd>hide (opens the comment with hide chosen; you give the reason)</dd>
            <dt>e</dt>
            <dd>escalate</dd>
            <dt>x</dt>
            <dd>select (for acknowledge, assign or close)</dd>
            <dt>?</dt>
            <dd>this help</dd>
          </dl>
          <form method="dialog">
            <button type="submit">Close</button>
          </form>
        </dialog>
      </main>
    </Layout>
  );
}
