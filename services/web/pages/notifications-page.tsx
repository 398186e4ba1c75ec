import { escapeHtml } from '@kitajs/html';
import type { NotificationView } from '../../notifications/list-notifications.js';
import type { EventPreferenceView } from '../../notifications/notification-preferences.js';
import { CsrfField } from '../components/csrf-field.js';
import { DigestItems } from '../components/digest-items.js';
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

const when = (d: Date) => d.toISOString().slice(0, 16).replace('T', ' ');

/** Only links inside the app, or http(s) documents, become anchors. */
const safeHref = (link: string | null) =>
  link && ((link.startsWith('/') && !link.startsWith('//')) || /^https?:\/\//i.test(link)) ? link : null;

const csrf = (token: string) => CsrfField({ token }) as string;

function Item({ n, csrfToken }: { n: NotificationView; csrfToken: string }): string {
  const href = safeHref(n.link);
  const title = href
    ? `<a href="${escapeHtml(href)}">${PublicText({ text: n.title })}</a>`
    : PublicText({ text: n.title });
  return (
    `<li class="notification${n.read ? ' read' : ' unread'}${n.urgency === 'urgent' ? ' urgent' : ''}">` +
    `<div class="notification-head">${n.urgency === 'urgent' ? '<strong class="label label-urgent">Urgent</strong> ' : ''}` +
    `<strong class="notification-title">${title}</strong> ` +
    `<time datetime="${n.createdAt.toISOString()}">${when(n.createdAt)}</time></div>` +
    `<p class="notification-body">${PublicText({ text: n.body })}</p>` +
    DigestItems({ items: n.items }) +
    (n.read
      ? ''
      : `<form method="post" action="/api/notifications/${escapeHtml(n.id)}/read" class="mark-read">${csrf(csrfToken)}<button type="submit">Mark read</button></form>`) +
    '</li>'
  );
}

function box(name: string, checked: boolean, label: string, disabled: boolean): string {
  return `<input type="checkbox" name="${escapeHtml(name)}" aria-label="${escapeHtml(label)}"${checked ? ' checked' : ''}${disabled ? ' disabled' : ''} />`;
}

function PreferenceRow({ p }: { p: EventPreferenceView }): string {
  const fixed = p.alwaysUrgent;
  const cell = (channel: string, on: boolean, what: string) =>
    `<td>${box(`${p.event}:${channel}`, fixed ? true : on, `${what}: ${p.label}`, fixed)}</td>`;
  return (
    `<tr><th scope="row">${escapeHtml(p.label)}${fixed ? '<br><small>Urgent: always sent at once on every channel</small>' : ''}</th>` +
    cell('in_app', p.inApp, 'In the app') +
    cell('email', p.email, 'Email') +
    cell('webhook', p.webhook, "School's Teams or Slack") +
    cell('digest', fixed ? false : p.digest, 'Email in a digest') +
    '</tr>'
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
          <form method="post" action="/api/notifications/read-all" class="mark-all-read">
            {csrf(props.csrfToken)}
            <button type="submit">Mark all read</button>
          </form>
        ) : (
          ''
        )}
        {props.items.length === 0 ? (
          <p class="empty">No notifications yet.</p>
        ) : (
          <ol class="notifications">
            {props.items.map((n) => Item({ n, csrfToken: props.csrfToken })).join('')}
          </ol>
        )}
        {props.next ? (
          <a class="next-page" href={`/notifications?before=${escapeHtml(encodeURIComponent(props.next))}`}>
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
          <form method="post" action="/notifications/preferences">
            {csrf(props.csrfToken)}
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
              <tbody>{props.preferences.map((p) => PreferenceRow({ p })).join('')}</tbody>
            </table>
            <button type="submit">Save preferences</button>
          </form>
        </section>
      </main>
    </Layout>
  );
}
