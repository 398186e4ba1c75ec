import { escapeHtml } from '@kitajs/html';
import { PostForm } from '../components/kit.js';
import { Flash, type FlashMessage } from '../components/page-bits.js';
import type { NavUser } from '../components/site-nav.js';
import { Layout } from '../layout.js';

export interface BlueskyConnectPageProps {
  user: NavUser;
  csrfToken: string;
  flash?: FlashMessage | null;
  account: { id: string; label: string; handle: string };
}

/**
 * Connecting a Bluesky account: its handle and an app password made for Hallmonitor. Bluesky has
 * no page to send the admin to; Hallmonitor signs in with what is typed here and keeps the
 * connection only when Bluesky says it is the approved handle.
 */
export function BlueskyConnectPage(props: BlueskyConnectPageProps): JSX.Element {
  const { account, csrfToken } = props;
  const handle = account.handle.replace(/^@/, '');
  return (
    <Layout title="Connect a Bluesky account" user={props.user} csrfToken={csrfToken} current="accounts">
      <main id="main">
        <p>
          <a href={`/accounts/${account.id}`} safe>
            {`Back to ${account.label}`}
          </a>
        </p>
        <h1>
          Connect @<bdi safe>{handle}</bdi> on Bluesky
        </h1>
        <Flash flash={props.flash} />
        <p>Hallmonitor signs in to Bluesky with an app password, never with the account’s own password.</p>
        <ol>
          <li>
            In Bluesky, signed in as @<bdi safe>{handle}</bdi>, open Settings → Privacy and security → App
            passwords.
          </li>
          <li>
            Add an app password named “Hallmonitor”. Leave “Allow access to your direct messages” unticked.
          </li>
          <li>
            Copy the password Bluesky shows (four groups of four letters and digits, like abcd-1234-efgh-5678)
            into the box below.
          </li>
        </ol>
        <p>
          To disconnect Hallmonitor later, delete that app password in Bluesky; Hallmonitor will say the
          account needs reconnecting.
        </p>
        <PostForm action={`/accounts/${account.id}/connect/bluesky`} csrfToken={csrfToken} class="stack-form">
          <label for="handle">Handle</label>
          <input
            id="handle"
            name="handle"
            value={escapeHtml(handle)}
            autocomplete="off"
            autocapitalize="none"
            spellcheck="false"
            maxlength="253"
            required
          />
          <label for="appPassword">App password</label>
          <input
            id="appPassword"
            name="appPassword"
            type="password"
            autocomplete="off"
            maxlength="100"
            required
          />
          <button type="submit">Sign in and connect</button>
        </PostForm>
      </main>
    </Layout>
  );
}
