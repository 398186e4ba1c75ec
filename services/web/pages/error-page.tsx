import type { NavUser } from '../components/site-nav.js';
import { Layout } from '../layout.js';

export interface ErrorPageProps {
  status: number;
  /** Plain text; escaped here. */
  message: string;
  user?: NavUser | undefined;
  csrfToken?: string | undefined;
  /** A path on this site where the person can put things right (e.g. the policy to acknowledge). */
  link?: string | undefined;
}

const HEADINGS: Record<number, string> = {
  400: 'That request was not valid',
  401: 'Please sign in',
  403: 'You do not have access to this',
  404: 'Not found',
  409: 'That has changed since you opened the page',
  413: 'That was too large to send',
  415: 'That request was not valid',
  422: 'That cannot be done yet',
  429: 'Too many tries',
  500: 'Sorry, something went wrong',
  503: 'Sorry, this is not working right now',
};

/** What to do next, in plain words, by status. */
const NEXT: Record<number, string> = {
  400: 'Go back, check what you entered, and try again.',
  403: 'If you think you should have access, ask your trust admin.',
  404: 'Check the address, or start again from the inbox.',
  409: 'Reload the page to see the latest, then try again.',
  429: 'Wait a minute, then try again.',
  500: 'The problem has been logged. Try again, and if it keeps happening tell your trust admin.',
  503: 'Nothing you entered has been lost. Try again in a few minutes.',
};

/** What a staff page answers when it refuses or fails: the status, a heading, the reason, what next. */
export function ErrorPage({ status, message, user, csrfToken, link }: ErrorPageProps): JSX.Element {
  const heading = HEADINGS[status] ?? (status >= 500 ? HEADINGS[500]! : 'That request was not valid');
  const next = NEXT[status] ?? (status >= 500 ? NEXT[500] : NEXT[400]);
  return (
    <Layout title={heading} user={user} csrfToken={csrfToken}>
      <main id="main" class="error-page" data-status={String(status)}>
        <h1 safe>{heading}</h1>
        <p class="error-message" safe>
          {message}
        </p>
        {link ? (
          <p>
            <a href={link} class="next-step">
              Read and acknowledge the policy
            </a>
          </p>
        ) : next ? (
          <p safe>{next}</p>
        ) : (
          ''
        )}
        <p>
          <a href={user ? '/' : '/login'}>{user ? 'Back to the inbox' : 'Go to sign-in'}</a>
        </p>
        <p class="muted" safe>{`Error ${status}`}</p>
      </main>
    </Layout>
  );
}
