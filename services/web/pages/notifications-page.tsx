import type { NotificationView } from '../../notifications/list-notifications.js';
import type { EventPreferenceView } from '../../notifications/notification-preferences.js';
import { DigestItems } from '../components/digest-items.js';
import { PostForm, Time } from '../components/kit.js';
import { PublicText } from '../components/public-text.js';
import type { NavUser } from '../components/site-nav.js';
import { Layout } from '../layout.js';

export interface NotificationsPageProps {
  user: NavUser;
  csrfToken: string;
  items: NotificationView[];
  next: string | null;
  preferences: EventPreferenceView[];
  /** Shown once after the preferences form was saved. */
  saved?: boolean;
}

/** Only links inside the app, or http(s) documents, become anchors. */
const safeHref = (link: string | null) =>
  link && ((link.startsWith('/') && !link.startsWith('//')) || /^https?:\/\//i.test(link)) ? link : null;

function Item({ n, csrfToken }: { n: NotificationView; csrfToken: string }): JSX.Element {
  const href = safeHref(n.link);
  const urgent = n.urgency === 'urgent';
  return (
    <li class={`notification${n.read ? ' read' : ' unread'}${urgent ? ' urgent' : ''}`}>
      <div class="notification-head">
        {urgent ? (
          <>
            <strong class="label label-urgent">Urgent</strong>{' '}
          </>
        ) : (
          ''
        )}
        <strong class="notification-title">
          {href ? (
            <a href={href}>
              <PublicText text={n.title} />
            </a>
          ) : (
            <PublicText text={n.title} />
          )}
        </strong>{' '}
        <Time at={n.createdAt} />
      </div>
      <p class="notification-body">
        <PublicText text={n.body} />
      </p>
      <DigestItems items={n.items} />
      {n.read ? (
        ''
      ) : (
        <PostForm action={`/api/notifications/${n.id}/read`} csrfToken={csrfToken} class="mark-read">
          <button type="submit">Mark read</button>
        </PostForm>
      )}
    </li>
  );
}

function Box({
  name,
  checked,
  label,
  disabled,
}: {
  name: string;
  checked: boolean;
  label: string;
  disabled: boolean;
}): JSX.Element {
  return <input type="checkbox" name={name} aria-label={label} checked={checked} disabled={disabled} />;
}

function PreferenceRow({ p }: { p: EventPreferenceView }): JSX.Element {
  const fixed = p.alwaysUrgent;
  const cell = (channel: string, on: boolean, what: string) => {
    const locked = fixed || (p.mustStayOn && (channel === 'in_app' || channel === 'email'));
    return (
      <td>
        <Box
          name={`${p.event}:${channel}`}
          checked={locked ? true : on}
          label={`${what}: ${p.label}`}
          disabled={locked}
        />
      </td>
    );
  };
  return (
    <tr>
      <th scope="row">
        <span safe>{p.label}</span>
        {fixed ? (
          <>
            <br />
            <small>Urgent: always sent at once on every channel</small>
          </>
        ) : p.mustStayOn ? (
          <>
            <br />
            <small>
              Offensive flags on your accounts: always in the app and by email (a digest is allowed)
            </small>
          </>
        ) : (
          ''
        )}
      </th>
      {cell('in_app', p.inApp, 'In the app')}
      {cell('email', p.email, 'Email')}
      {cell('webhook', p.webhook, "School's Teams or Slack")}
      {cell('digest', fixed ? false : p.digest, 'Email in a digest')}
    </tr>
  );
}

/** The person's notifications, newest first, with mark-read forms, and their preferences. */
export function NotificationsPage(props: NotificationsPageProps): JSX.Element {
  const unread = props.items.some((n) => !n.read);
  return (
    <Layout title="Notifications" user={props.user} csrfToken={props.csrfToken} current="notifications">
      <main id="main">
        <h1>Notifications</h1>
        {unread ? (
          <PostForm action="/api/notifications/read-all" csrfToken={props.csrfToken} class="mark-all-read">
            <button type="submit">Mark all read</button>
          </PostForm>
        ) : (
          ''
        )}
        {props.items.length === 0 ? (
          <p class="empty">No notifications yet.</p>
        ) : (
          <ol class="notifications">
            {props.items.map((n) => (
              <Item n={n} csrfToken={props.csrfToken} />
            ))}
          </ol>
        )}
        {props.next ? (
          <a class="next-page" href={`/notifications?before=${encodeURIComponent(props.next)}`}>
            Older notifications
          </a>
        ) : (
          ''
        )}
        <section aria-labelledby="preferences-heading" class="notification-preferences">
          <h2 id="preferences-heading">What you are sent</h2>
          <p>
            Turn each kind of notification on or off per channel. A digest holds non-urgent emails and sends
            them together, once an interval. Safeguarding escalations and missed deadlines always come at
            once, on every channel.
          </p>
          {props.saved ? <p class="notice">Saved.</p> : ''}
          <PostForm action="/notifications/preferences" csrfToken={props.csrfToken}>
            <table>
              <thead>
                <tr>
                  <th scope="col">Event</th>
                  <th scope="col">In the app</th>
                  <th scope="col">Email</th>
                  <th scope="col">Teams / Slack</th>
                  <th scope="col">Email as digest</th>
                </tr>
              </thead>
              <tbody>
                {props.preferences.map((p) => (
                  <PreferenceRow p={p} />
                ))}
              </tbody>
            </table>
            <button type="submit">Save preferences</button>
          </PostForm>
        </section>
      </main>
    </Layout>
  );
}
