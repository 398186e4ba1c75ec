/** The hidden field every state-changing form carries: the session's CSRF token (checked in one place, plugins/authentication.ts). */
export function CsrfField({ token }: { token: string }): JSX.Element {
  return <input type="hidden" name="_csrf" value={token} />;
}
