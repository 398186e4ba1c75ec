import { index, integer, pgTable, text, uuid } from 'drizzle-orm/pg-core';
import { at, createdAt, id } from './columns.js';
import { notifications } from './notifications.js';
import { schools } from './schools.js';

/** One notification sent on one channel: the delivery log trust admins read. */
export const notificationDeliveries = pgTable(
  'notification_deliveries',
  {
    id: id(),
    notificationId: uuid('notification_id')
      .notNull()
      .references(() => notifications.id),
    schoolId: uuid('school_id')
      .notNull()
      .references(() => schools.id),
    channel: text('channel', { enum: ['email', 'webhook'] }).notNull(),
    target: text('target').notNull(),
    status: text('status', { enum: ['pending', 'digest', 'sent', 'failed', 'bounced'] }).notNull(),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    sentAt: at('sent_at'),
    createdAt: createdAt(),
  },
  (t) => [
    index('notification_deliveries_status_idx').on(t.status, t.createdAt),
    index('notification_deliveries_school_idx').on(t.schoolId, t.createdAt),
  ],
);
