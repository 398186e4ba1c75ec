import type { DeliveryView } from '../../notifications/list-deliveries.js';
import type { WebhookView } from '../../notifications/school-webhooks.js';
import { CsrfField } from '../components/csrf-field.js';
import { PostForm, Time } from '../components/kit.js';
import { Flash, type FlashMessage } from '../components/page-bits.js';
import { PublicText } from '../components/public-text.js';
import type { NavUser } from '../components/site-nav.js';
import { Layout } from '../layout.js';

export interface SchoolNotificationsPageProps {
  user: NavUser;
  csrfToken: string;
  schoolId: string;
  schoolName: string;
  flash?: FlashMessage | null | undefined;
  webhooks: WebhookView[];
  problems: DeliveryView[];
}

function WebhookState({ w }: { w: WebhookView }): JSX.Element {
  if (w.consecutiveFailures > 0) {
    return (
      <strong class="webhook-failing">
        Failing: {w.consecutiveFailures} {w.consecutiveFailures === 1 ? 'delivery' : 'deliveries'} in a row
        failed; last <Time at={w.lastFailureAt} />
      </strong>
    );
  }
  return w.enabled ? 'Working' : 'Disabled';
}

function WebhookRow({ w, props }: { w: WebhookView; props: SchoolNotificationsPageProps }): JSX.Element {
  return (
    <tr class={w.consecutiveFailures > 0 ? 'failing' : ''}>
      <td safe>{w.label}</td>
      <td>{w.kind === 'teams' ? 'Microsoft Teams' : 'Slack'}</td>
      <td>
        <code safe>{w.urlMasked}</code>
      </td>
      <td>
        <WebhookState w={w} />
      </td>
      <td>
        <PostForm action={`/schools/${props.schoolId}/webhooks/${w.id}/remove`} csrfToken={props.csrfToken}>
          <button type="submit" aria-label={`Remove ${w.label}`}>
            Remove
          </button>
        </PostForm>
      </td>
    </tr>
  );
}

function ProblemRow({ d }: { d: DeliveryView }): JSX.Element {
  return (
    <tr>
      <td>
        <Time at={d.createdAt} />
      </td>
      <td safe>{d.title}</td>
      <td safe>{`${d.channel === 'email' ? 'Email' : 'Webhook'}: ${d.target}`}</td>
      <td>
        <strong class={`delivery-${d.status}`}>{d.status === 'bounced' ? 'Bounced' : 'Failed'}</strong>
      </td>
      <td>{d.attempts}</td>
      <td>{d.lastError ? <PublicText text={d.lastError} /> : ''}</td>
    </tr>
  );
}

/** A school's notification settings (trust admins): webhooks, their health, recent failures. */
export function SchoolNotificationsPage(props: SchoolNotificationsPageProps): JSX.Element {
  return (
    <Layout title={`Notifications · ${props.schoolName}`} user={props.user} csrfToken={props.csrfToken}>
      <main id="main">
        <h1 safe>{`Notification settings: ${props.schoolName}`}</h1>
        <Flash flash={props.flash} />
        <section aria-labelledby="webhooks-heading">
          <h2 id="webhooks-heading">Teams and Slack channels</h2>
          {props.webhooks.length === 0 ? (
            <p class="empty">No channels yet: notifications go in the app and by email only.</p>
          ) : (
            <table class="webhooks">
              <thead>
                <tr>
                  <th scope="col">Channel</th>
                  <th scope="col">Kind</th>
                  <th scope="col">Address</th>
                  <th scope="col">State</th>
                  <th scope="col">
                    <span class="visually-hidden">Remove</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {props.webhooks.map((w) => (
                  <WebhookRow w={w} props={props} />
                ))}
              </tbody>
            </table>
          )}
          <form method="post" action={`/api/schools/${props.schoolId}/webhooks`} class="add-webhook">
            <CsrfField token={props.csrfToken} />
            <label>
              Name <input name="label" required maxlength="100" />
            </label>{' '}
            <label>
              Kind{' '}
              <select name="kind">
                <option value="teams">Microsoft Teams</option>
                <option value="slack">Slack</option>
              </select>
            </label>{' '}
            <label>
              Incoming webhook URL <input name="url" type="url" required autocomplete="off" />
            </label>{' '}
            <button type="submit">Add channel</button>
          </form>
          <p class="help">
            It must be a public https:// address (addresses on an internal network are refused). The URL is
            kept encrypted and never shown again in full.
          </p>
        </section>
        <section aria-labelledby="problems-heading">
          <h2 id="problems-heading">Recent failed and bounced deliveries</h2>
          {props.problems.length === 0 ? (
            <p class="empty">None: every recent email and post was delivered.</p>
          ) : (
            <table class="deliveries">
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">Notification</th>
                  <th scope="col">To</th>
                  <th scope="col">Outcome</th>
                  <th scope="col">Attempts</th>
                  <th scope="col">Reason</th>
                </tr>
              </thead>
              <tbody>
                {props.problems.map((d) => (
                  <ProblemRow d={d} />
                ))}
              </tbody>
            </table>
          )}
        </section>
      </main>
    </Layout>
  );
}
