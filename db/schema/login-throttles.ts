import { integer, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import { at } from './columns.js';

/** Failed sign-ins per account and per address, with the backoff they earned. */
export const loginThrottles = pgTable(
  'login_throttles',
  {
    kind: text('kind', { enum: ['account', 'address'] }).notNull(),
    key: text('key').notNull(),
    failures: integer('failures').notNull().default(0),
    lockedUntil: at('locked_until'),
    lastFailureAt: at('last_failure_at'),
  },
  (t) => [primaryKey({ columns: [t.kind, t.key] })],
);
