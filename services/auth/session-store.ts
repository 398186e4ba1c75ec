import { createHash, randomBytes } from 'node:crypto';
import { and, eq, gt } from 'drizzle-orm';
import type { Queryable } from '../../db/client.js';
import { sessions } from '../../db/schema/index.js';

export const SESSION_COOKIE = 'hm_session';
export const SESSION_IDLE_MS = 30 * 60_000;
export const SESSION_ABSOLUTE_MS = 12 * 3_600_000;

const hashId = (id: string) => createHash('sha256').update(id).digest('hex');

export interface NewSession {
  cookieValue: string;
  csrfToken: string;
  expiresAt: Date;
}

/** A new random session id at every sign-in, so a planted id is never promoted (fixation). */
export async function createSession(
  db: Queryable,
  input: { userId: string; method: 'password' | 'sso'; ipAddress?: string; userAgent?: string },
): Promise<NewSession> {
  const cookieValue = randomBytes(32).toString('base64url');
  const csrfToken = randomBytes(24).toString('base64url');
  const expiresAt = new Date(Date.now() + SESSION_ABSOLUTE_MS);
  await db.insert(sessions).values({
    idHash: hashId(cookieValue),
    userId: input.userId,
    csrfToken,
    expiresAt,
    signInMethod: input.method,
    ipAddress: input.ipAddress ?? null,
    userAgent: input.userAgent?.slice(0, 300) ?? null,
  });
  return { cookieValue, csrfToken, expiresAt };
}

/** The live session for a cookie, sliding its idle timer; null when absent, idle or expired. */
export async function resolveSession(db: Queryable, cookieValue: string, now = new Date()) {
  if (!cookieValue || cookieValue.length > 100) return null;
  const [row] = await db
    .update(sessions)
    .set({ lastSeenAt: now })
    .where(
      and(
        eq(sessions.idHash, hashId(cookieValue)),
        gt(sessions.expiresAt, now),
        gt(sessions.lastSeenAt, new Date(now.getTime() - SESSION_IDLE_MS)),
      ),
    )
    .returning();
  return row ?? null;
}

export async function destroySession(db: Queryable, cookieValue: string): Promise<void> {
  await db.delete(sessions).where(eq(sessions.idHash, hashId(cookieValue)));
}

/** Ends every session of a user: on disable, and when their roles change. */
export async function destroyUserSessions(db: Queryable, userId: string): Promise<number> {
  const rows = await db
    .delete(sessions)
    .where(eq(sessions.userId, userId))
    .returning({ id: sessions.idHash });
  return rows.length;
}
