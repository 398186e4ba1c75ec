import type { PropsWithChildren } from '@kitajs/html';
import { type NavSection, type NavUser, SiteHeader } from './components/site-nav.js';

export interface LayoutProps {
  /** Plain text; escaped here. */
  title: string;
  /** The signed-in person: with it the page gets the skip link, the navigation bar and sign-out. */
  user?: NavUser | undefined;
  /** The session's CSRF token, for the sign-out form (needed with `user`). */
  csrfToken?: string | undefined;
  /** Which navigation entry is this page (marked aria-current). */
  current?: NavSection | undefined;
}

/**
 * The document every staff page sits in. Scripts and styles come only from /static, never inline,
 * so the CSP can forbid inline script. Children are already-rendered markup: whoever renders
 * untrusted text inside them escapes it there (the `safe` attribute).
 */
export function Layout({
  title,
  user,
  csrfToken,
  current,
  children,
}: PropsWithChildren<LayoutProps>): JSX.Element {
  return (
    <>
      {'<!doctype html>'}
      <html lang="en-GB">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <title safe>{`${title} · Hallmonitor`}</title>
          <link rel="icon" href="/static/favicon.svg" type="image/svg+xml" />
          <link rel="stylesheet" href="/static/app.css" />
          <script src="/static/app.js" defer></script>
        </head>
        <body>
          {user ? '<a class="skip-link" href="#main">Skip to main content</a>' : ''}
          {/* the bell is drawn from `user.unread`; SiteHeader puts it beside sign-out */}
          {user ? SiteHeader({ user, csrfToken: csrfToken ?? '', current }) : ''}
          {children}
        </body>
      </html>
    </>
  );
}
