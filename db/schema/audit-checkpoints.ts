import { bigint, pgTable, text } from 'drizzle-orm/pg-core';
import { createdAt, id } from './columns.js';

/** The chain head signed with the Ed25519 key from config; verify checks the chain against these. */
export const auditCheckpoints = pgTable('audit_checkpoints', {
  id: id(),
  seq: bigint('seq', { mode: 'number' }).notNull(),
  headHash: text('head_hash').notNull(),
  signedAt: text('signed_at').notNull(),
  publicKey: text('public_key').notNull(),
  signature: text('signature').notNull(),
  createdAt: createdAt(),
});
