import { and, eq, gt, inArray, or, sql } from 'drizzle-orm';
import type { Queryable } from '../../db/client.js';
import { loginThrottles } from '../../db/schema/index.js';

export type ThrottleKind = 'account' | 'address';
export interface ThrottleKey {
  kind: ThrottleKind;
  key: string;
}

/**
 * Failures allowed before a lock. An address is shared by a whole school behind one NAT, so it gets
 * more room than one account does.
 */
export const THROTTLE_FREE_FAILURES: Record<ThrottleKind, number> = { account: 5, address: 20 };
export const THROTTLE_FIRST_LOCK_MS = 30_000;
export const THROTTLE_MAX_LOCK_MS = 15 * 60_000;
/** A failure older than this is forgotten: the count starts again. */
export const THROTTLE_FORGET_MS = 60 * 60_000;

/** 30 s at the threshold, doubling with each further failure, capped at 15 minutes. */
export function lockDurationMs(kind: ThrottleKind, failures: number): number {
  const over = failures - THROTTLE_FREE_FAILURES[kind];
  if (over < 0) return 0;
  return Math.min(THROTTLE_FIRST_LOCK_MS * 2 ** Math.min(over, 20), THROTTLE_MAX_LOCK_MS);
}

/** The longest remaining lock among the keys, in whole seconds; 0 when none is locked. */
export async function lockedForSeconds(
  db: Queryable,
  keys: ThrottleKey[],
  now = new Date(),
): Promise<number> {
  const rows = await db
    .select({ lockedUntil: loginThrottles.lockedUntil })
    .from(loginThrottles)
    .where(
      and(
        or(...keys.map((k) => and(eq(loginThrottles.kind, k.kind), eq(loginThrottles.key, k.key)))),
        gt(loginThrottles.lockedUntil, now),
      ),
    );
  const until = Math.max(0, ...rows.map((r) => r.lockedUntil?.getTime() ?? 0));
  return until > now.getTime() ? Math.ceil((until - now.getTime()) / 1000) : 0;
}

/** Counts one failure against each key and locks the key when it has earned a backoff. */
export async function recordFailure(db: Queryable, keys: ThrottleKey[], now = new Date()): Promise<void> {
  const forgetBefore = new Date(now.getTime() - THROTTLE_FORGET_MS);
  for (const { kind, key } of keys) {
    const [row] = await db
      .insert(loginThrottles)
      .values({ kind, key, failures: 1, lastFailureAt: now })
      .onConflictDoUpdate({
        target: [loginThrottles.kind, loginThrottles.key],
        set: {
          failures: sql`case when ${loginThrottles.lastFailureAt} < ${forgetBefore} then 1 else ${loginThrottles.failures} + 1 end`,
          lastFailureAt: now,
        },
      })
      .returning({ failures: loginThrottles.failures });
    const lockMs = lockDurationMs(kind, row?.failures ?? 1);
    if (lockMs > 0) {
      await db
        .update(loginThrottles)
        .set({ lockedUntil: new Date(now.getTime() + lockMs) })
        .where(and(eq(loginThrottles.kind, kind), eq(loginThrottles.key, key)));
    }
  }
}

/** A successful sign-in clears the account's record (the address keeps its count). */
export async function resetThrottle(db: Queryable, key: ThrottleKey): Promise<void> {
  await db
    .delete(loginThrottles)
    .where(and(eq(loginThrottles.kind, key.kind), inArray(loginThrottles.key, [key.key])));
}
