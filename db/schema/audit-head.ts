import { bigint, integer, pgTable, text } from 'drizzle-orm/pg-core';

/**
 * One row: the chain's last sequence number and hash. Writers lock it (SELECT … FOR UPDATE), so
 * concurrent transactions append one after another and the chain never forks.
 */
export const auditHead = pgTable('audit_head', {
  id: integer('id').primaryKey(),
  seq: bigint('seq', { mode: 'number' }).notNull(),
  hash: text('hash').notNull(),
});
