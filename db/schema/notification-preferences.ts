import { boolean, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { id } from './columns.js';
import { users } from './users.js';

export const NOTIFICATION_CHANNELS = ['in_app', 'email', 'webhook'] as const;

/** A user's choice per event and channel; urgent events ignore `enabled` and `digest`. */
export const notificationPreferences = pgTable(
  'notification_preferences',
  {
    id: id(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    event: text('event').notNull(),
    channel: text('channel', { enum: NOTIFICATION_CHANNELS }).notNull(),
    enabled: boolean('enabled').notNull().default(true),
    digest: boolean('digest').notNull().default(false),
  },
  (t) => [uniqueIndex('notification_preferences_unique').on(t.userId, t.event, t.channel)],
);
