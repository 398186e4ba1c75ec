import { isIPv6 } from 'node:net';
import { and, eq, gt, isNull, lt, or, sql } from 'drizzle-orm';
import type { Queryable } from '../../db/client.js';
import { loginThrottles, type THROTTLE_KINDS } from '../../db/schema/index.js';

export type ThrottleKind = (typeof THROTTLE_KINDS)[number];
export interface ThrottleKey {
  kind: ThrottleKind;
  key: string;
}
/** An attempt: the email typed (lower case), the address, and the device if it is known for the account. */
export interface ThrottledAttempt {
  email: string;
  address: string;
  deviceId: string | null;
}

/**
 * The keys an attempt is judged by. Nothing one address does can lock an account for another
 * address: an unknown device is judged by its own (address, account) pair and its address; a
 * known device (its signed cookie names this account) only by its own failures.
 */
export function throttleKeys(attempt: ThrottledAttempt): ThrottleKey[] {
  const { email, deviceId } = attempt;
  const address = addressKey(attempt.address);
  if (deviceId) return [{ kind: 'device', key: `${deviceId}|${email}` }];
  return [
    { kind: 'pair', key: `${address}|${email}` },
    { kind: 'address', key: address },
  ];
}

/**
 * An address as the throttle counts it. One IPv6 customer holds a whole /64 and can use any address
 * in it, so an IPv6 address counts by its first 64 bits; an IPv4-mapped one as its IPv4 address.
 */
export function addressKey(ip: string): string {
  const address = ip.replace(/%.*$/, '').toLowerCase();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(address);
  if (mapped) return mapped[1]!;
  if (!isIPv6(address)) return address;
  let text = address;
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (v4) {
    const [a, b, c, d] = v4.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, v4.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups =
    tail === undefined
      ? left
      : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return `${groups
    .slice(0, 4)
    .map((g) => Number.parseInt(g || '0', 16).toString(16))
    .join(':')}::/64`;
}

/**
 * Failures allowed before a lock. An address is shared by a whole school behind one NAT, so it gets
 * more room than one account from one address does. The account counter never locks.
 */
export const THROTTLE_FREE_FAILURES: Record<ThrottleKind, number> = {
  pair: 5,
  address: 20,
  device: 5,
  account: Number.POSITIVE_INFINITY,
};
/**
 * Failures from unknown devices, across every address, after which an account is under attack:
 * its person is told, and each further address gets one free guess instead of five.
 */
export const ATTACK_THRESHOLD = 10;
export const PAIR_FREE_FAILURES_UNDER_ATTACK = 1;
export const THROTTLE_FIRST_LOCK_MS = 30_000;
export const THROTTLE_MAX_LOCK_MS = 15 * 60_000;
/** A failure older than this is forgotten: the count starts again. */
export const THROTTLE_FORGET_MS = 60 * 60_000;
/** The person is told of an attack at most once in this long. */
export const ATTACK_NOTICE_INTERVAL_MS = 60 * 60_000;

/** 30 s at the threshold, doubling with each further failure, capped at 15 minutes. */
export function lockDurationMs(freeFailures: number, failures: number): number {
  const over = failures - freeFailures;
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

/** Counts one failure against the key and returns the count within the forget window. */
async function countFailure(db: Queryable, { kind, key }: ThrottleKey, now: Date): Promise<number> {
  const forgetBefore = new Date(now.getTime() - THROTTLE_FORGET_MS);
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
  return row?.failures ?? 1;
}

async function lockFor(db: Queryable, { kind, key }: ThrottleKey, lockMs: number, now: Date) {
  if (lockMs <= 0) return;
  await db
    .update(loginThrottles)
    .set({ lockedUntil: new Date(now.getTime() + lockMs) })
    .where(and(eq(loginThrottles.kind, kind), eq(loginThrottles.key, key)));
}

/** Counts one failure against a single key and locks it when it has earned a backoff. */
export async function recordKeyFailure(db: Queryable, key: ThrottleKey, now = new Date()): Promise<void> {
  await lockFor(
    db,
    key,
    lockDurationMs(THROTTLE_FREE_FAILURES[key.kind], await countFailure(db, key, now)),
    now,
  );
}

/**
 * Counts one failure. From a known device: against that device and account only. From an
 * unknown device: against the (address, account) pair, the address, and the account's attack
 * counter; the pair gets less room once the account is under attack. Returns the attack count.
 */
export async function recordFailure(
  db: Queryable,
  attempt: ThrottledAttempt,
  now = new Date(),
): Promise<{ unknownDeviceFailures: number }> {
  const lock = throttleKeys(attempt);
  if (Math.random() < PRUNE_CHANCE) await pruneThrottles(db, now);
  if (attempt.deviceId) {
    await recordKeyFailure(db, lock[0]!, now);
    return { unknownDeviceFailures: 0 };
  }
  const unknownDeviceFailures = await countFailure(db, { kind: 'account', key: attempt.email }, now);
  const underAttack = unknownDeviceFailures >= ATTACK_THRESHOLD;
  for (const key of lock) {
    const free =
      key.kind === 'pair' && underAttack ? PAIR_FREE_FAILURES_UNDER_ATTACK : THROTTLE_FREE_FAILURES[key.kind];
    await lockFor(db, key, lockDurationMs(free, await countFailure(db, key, now)), now);
  }
  return { unknownDeviceFailures };
}

/**
 * Claims the right to tell the account's person of an attack: true at most once per
 * ATTACK_NOTICE_INTERVAL_MS, by a conditional update, so concurrent failures tell them once.
 */
export async function claimAttackNotice(db: Queryable, email: string, now = new Date()): Promise<boolean> {
  const before = new Date(now.getTime() - ATTACK_NOTICE_INTERVAL_MS);
  const rows = await db
    .update(loginThrottles)
    .set({ notifiedAt: now })
    .where(
      and(
        eq(loginThrottles.kind, 'account'),
        eq(loginThrottles.key, email),
        sql`${loginThrottles.failures} >= ${ATTACK_THRESHOLD}`,
        or(isNull(loginThrottles.notifiedAt), lt(loginThrottles.notifiedAt, before)),
      ),
    )
    .returning({ key: loginThrottles.key });
  return rows.length > 0;
}

/** How often a failure also sweeps out records nothing reads any more. */
export const PRUNE_CHANCE = 0.01;

/**
 * Deletes records whose failures are all forgotten, whose lock has run out and whose attack notice
 * is past its hour: every (address, account) pair a sprayer tried would otherwise stay for ever.
 */
export async function pruneThrottles(db: Queryable, now = new Date()): Promise<number> {
  const forgotten = new Date(now.getTime() - THROTTLE_FORGET_MS);
  const noticed = new Date(now.getTime() - ATTACK_NOTICE_INTERVAL_MS);
  const gone = await db
    .delete(loginThrottles)
    .where(
      and(
        lt(loginThrottles.lastFailureAt, forgotten),
        or(isNull(loginThrottles.lockedUntil), lt(loginThrottles.lockedUntil, now)),
        or(isNull(loginThrottles.notifiedAt), lt(loginThrottles.notifiedAt, noticed)),
      ),
    )
    .returning({ key: loginThrottles.key });
  return gone.length;
}

/** A successful sign-in clears the keys it was judged by, except the address (it keeps its count). */
export async function resetThrottle(db: Queryable, keys: ThrottleKey[]): Promise<void> {
  for (const { kind, key } of keys) {
    if (kind === 'address') continue;
    await db.delete(loginThrottles).where(and(eq(loginThrottles.kind, kind), eq(loginThrottles.key, key)));
  }
}
