import { sql } from 'drizzle-orm';
import { index, pgTable, text, uuid } from 'drizzle-orm/pg-core';
import { createInsertSchema, createSelectSchema } from 'drizzle-zod';
import { at, createdAt, id } from './columns.js';
import { schools } from './schools.js';
import { users } from './users.js';

/** urgent: sent at once on every channel, never batched or muted (safeguarding, breaches). */
export const NOTIFICATION_URGENCIES = ['urgent', 'normal'] as const;

export const notifications = pgTable(
  'notifications',
  {
    id: id(),
    schoolId: uuid('school_id')
      .notNull()
      .references(() => schools.id),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    event: text('event').notNull(),
    urgency: text('urgency', { enum: NOTIFICATION_URGENCIES }).notNull(),
    /** Never contains comment text: subjects go to email subject lines. */
    title: text('title').notNull(),
    body: text('body').notNull(),
    link: text('link'),
    subjectType: text('subject_type'),
    subjectId: text('subject_id'),
    readAt: at('read_at'),
    createdAt: createdAt(),
  },
  (t) => [
    index('notifications_user_unread_idx').on(t.userId, t.createdAt).where(sql`${t.readAt} is null`),
    index('notifications_user_idx').on(t.userId, t.createdAt),
  ],
);

export const notificationInsertSchema = createInsertSchema(notifications);
export const notificationSelectSchema = createSelectSchema(notifications);
export type Notification = typeof notifications.$inferSelect;
