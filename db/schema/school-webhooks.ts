import { boolean, integer, pgTable, text, uuid } from 'drizzle-orm/pg-core';
import { at, createdAt, id } from './columns.js';
import { schools } from './schools.js';

/** A Teams or Slack incoming webhook for a school; the URL is a secret, stored encrypted. */
export const schoolWebhooks = pgTable('school_webhooks', {
  id: id(),
  schoolId: uuid('school_id')
    .notNull()
    .references(() => schools.id),
  kind: text('kind', { enum: ['teams', 'slack'] }).notNull(),
  label: text('label').notNull(),
  urlEncrypted: text('url_encrypted').notNull(),
  enabled: boolean('enabled').notNull().default(true),
  consecutiveFailures: integer('consecutive_failures').notNull().default(0),
  lastFailureAt: at('last_failure_at'),
  createdAt: createdAt(),
});
