import type { NavUser } from '../components/site-nav.js';
import { Layout } from '../layout.js';

export interface ErrorPageProps {
  status: number;
  /** Plain text; escaped here. */
  message: string;
  user?: NavUser | undefined;
  csrfToken?: string | undefined;
}

const HEADINGS: Record<number, string> = {
  400: 'That request was not valid',
  401: 'Please sign in',
  403: 'You do not have access to this',
  404: 'Not found',
};

/** What a staff page answers when it refuses: the status, a heading, and the reason. */
export function ErrorPage({ status, message, user, csrfToken }: ErrorPageProps): JSX.Element {
  const heading = HEADINGS[status] ?? 'Something went wrong';
  return (
    <Layout title={heading} user={user} csrfToken={csrfToken}>
      <main id="main" class="error-page">
        <h1 safe>{heading}</h1>
        <p safe>{message}</p>
        <p>
          <a href="/">Back to the inbox</a>
        </p>
      </main>
    </Layout>
  );
}
