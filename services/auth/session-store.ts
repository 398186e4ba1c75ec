import { createHash, randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { Database, Queryable } from '../../db/client.js';
import { sessions } from '../../db/schema/index.js';
import type { Principal } from '../core/principal.js';
import { type PrincipalRow, principalFromRow } from './load-principal.js';

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

/**
 * How far the stored last-seen time may lag behind a session's real last request. A request
 * writes it only when it is older than this, not on every request: an UPDATE (and a WAL flush)
 * per request was the inbox's largest cost. The lag only ever makes the idle timeout end a
 * session earlier, by at most this much, never later.
 */
export const SESSION_TOUCH_MS = 60_000;

export interface LiveSession {
  csrfToken: string;
  principal: Principal;
}

/**
 * One round trip, on every request: the live session for the cookie (not idle, not expired), its
 * user (not disabled) with their roles and administered accounts, and the idle timer slid forward
 * when the stored last-seen time is older than SESSION_TOUCH_MS. Nothing is cached: sign-out,
 * disabling a user and a role change (both end the sessions) take effect on the next request.
 */
const RESOLVE_TEXT = `with live as (
    select id_hash, user_id, csrf_token, last_seen_at from sessions
    where id_hash = $1 and expires_at > $2 and last_seen_at > $3
  ), touched as (
    update sessions set last_seen_at = $2 from live
    where sessions.id_hash = live.id_hash and live.last_seen_at < $4
    returning 1
  )
  select live.csrf_token, u.id, u.trust_id, u.display_name, u.email,
    coalesce((select json_agg(json_build_array(m.school_id, m.role)) from memberships m
      where m.user_id = u.id), '[]'::json) as roles,
    coalesce((select json_agg(json_build_array(a.account_id, s.school_id)) from account_admins a
      join social_accounts s on s.id = a.account_id where a.user_id = u.id), '[]'::json) as admin_of
  from live join users u on u.id = live.user_id and u.disabled_at is null`;

interface ResolveRow extends PrincipalRow {
  csrf_token: string;
}

/** The live session and principal for a cookie, sliding its idle timer; null when absent, idle, expired or disabled. */
export async function resolveSession(
  db: Database,
  cookieValue: string,
  now = new Date(),
): Promise<LiveSession | null> {
  if (!cookieValue || cookieValue.length > 100) return null;
  const { rows } = await db.$client.query<ResolveRow>({
    // Named: each pooled connection parses and plans it once.
    name: 'hm_resolve_session',
    text: RESOLVE_TEXT,
    values: [
      hashId(cookieValue),
      now,
      new Date(now.getTime() - SESSION_IDLE_MS),
      new Date(now.getTime() - SESSION_TOUCH_MS),
    ],
  });
  const row = rows[0];
  return row ? { csrfToken: row.csrf_token, principal: principalFromRow(row) } : null;
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
