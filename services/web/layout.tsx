import type { PropsWithChildren } from '@kitajs/html';

export interface LayoutProps {
  /** Plain text; escaped here. */
  title: string;
}

/**
 * The document every staff page sits in. Scripts and styles come only from /static, never inline,
 * so the CSP can forbid inline script. Children are already-rendered markup: whoever renders
 * untrusted text inside them escapes it there (the `safe` attribute).
 */
export function Layout({ title, children }: PropsWithChildren<LayoutProps>): JSX.Element {
  return (
    <>
      {'<!doctype html>'}
      <html lang="en-GB">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <title safe>{`${title} · Hallmonitor`}</title>
          <link rel="stylesheet" href="/static/app.css" />
          <script src="/static/app.js" defer></script>
        </head>
        <body>{children}</body>
      </html>
    </>
  );
}
