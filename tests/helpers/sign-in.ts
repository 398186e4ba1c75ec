import type { Database } from '../../db/client.js';
import { createSession, SESSION_COOKIE } from '../../services/auth/session-store.js';

export interface SignedIn {
  /** Pass as `headers` to app.inject: the session cookie and the CSRF header. */
  headers: { cookie: string; 'x-csrf-token': string };
  csrfToken: string;
  cookieValue: string;
}

/** A live session for a user, as if they had just signed in. */
export async function signIn(db: Database, userId: string): Promise<SignedIn> {
  const session = await createSession(db, { userId, method: 'password' });
  return {
    headers: { cookie: `${SESSION_COOKIE}=${session.cookieValue}`, 'x-csrf-token': session.csrfToken },
    csrfToken: session.csrfToken,
    cookieValue: session.cookieValue,
  };
}
