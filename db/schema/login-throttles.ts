import { integer, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import { at } from './columns.js';

/**
 * Failed sign-ins and the backoff they earned, per kind of key:
 * - `pair`: one address against one account (`address|email`): what locks a guesser out;
 * - `address`: one address against every account: slows an address spraying many accounts;
 * - `device`: a known device (its signed cookie) against one account (`deviceId|email`);
 * - `account`: every unknown device against one account: never locks, it only tells the person
 *   their account is under attack (`notified_at`: when they were last told).
 */
export const THROTTLE_KINDS = ['pair', 'address', 'device', 'account'] as const;

export const loginThrottles = pgTable(
  'login_throttles',
  {
    kind: text('kind', { enum: THROTTLE_KINDS }).notNull(),
    key: text('key').notNull(),
    failures: integer('failures').notNull().default(0),
    lockedUntil: at('locked_until'),
    lastFailureAt: at('last_failure_at'),
    notifiedAt: at('notified_at'),
  },
  (t) => [primaryKey({ columns: [t.kind, t.key] })],
);
