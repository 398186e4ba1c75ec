import { escapeHtml } from '@kitajs/html';
import { Layout } from '../layout.js';

export interface LoginPageProps {
  /** The generic failure or the throttle message; plain text. */
  message?: string | undefined;
  /** The email typed last time, so a failed attempt need not retype it; plain text (escaped here:
   * attribute values are only quote-escaped by kitajs, and this one is typed by anyone). */
  email?: string | undefined;
  /** A trust's single sign-on providers, when the page was opened for a trust (`?trust=`). */
  sso?: { trustId: string; issuer: string; label: string }[];
}

/** The sign-in page: a plain form posting to /auth/sign-in, and a link per SSO provider. */
export function LoginPage({ message, email, sso = [] }: LoginPageProps): JSX.Element {
  return (
    <Layout title="Sign in">
      <main class="sign-in">
        <h1>Sign in to Hallmonitor</h1>
        {message ? (
          <p class="error" role="alert" safe>
            {message}
          </p>
        ) : (
          ''
        )}
        <form method="post" action="/auth/sign-in">
          <label for="email">Email</label>
          <input
            id="email"
            name="email"
            type="email"
            autocomplete="username"
            required
            value={escapeHtml(email ?? '')}
          />
          <label for="password">Password</label>
          <input id="password" name="password" type="password" autocomplete="current-password" required />
          <button type="submit">Sign in</button>
        </form>
        {sso.length ? (
          <ul class="sso">
            {sso.map((p) => (
              <li>
                <a
                  href={`/auth/sso/${encodeURIComponent(p.trustId)}/start?issuer=${encodeURIComponent(p.issuer)}`}
                  safe
                >
                  {`Sign in with ${p.label}`}
                </a>
              </li>
            ))}
          </ul>
        ) : (
          ''
        )}
      </main>
    </Layout>
  );
}
