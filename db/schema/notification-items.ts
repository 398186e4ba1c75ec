import { index, pgTable, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { createdAt, id } from './columns.js';
import { comments } from './comments.js';
import { notifications } from './notifications.js';

/**
 * The comments one digest notification lists (flags batched per person, see flag-digest.ts). The
 * text is read from the comment when shown, so a redacted comment is never repeated here.
 */
export const notificationItems = pgTable(
  'notification_items',
  {
    id: id(),
    notificationId: uuid('notification_id')
      .notNull()
      .references(() => notifications.id),
    commentId: uuid('comment_id')
      .notNull()
      .references(() => comments.id),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('notification_items_unique').on(t.notificationId, t.commentId),
    index('notification_items_comment_idx').on(t.commentId),
  ],
);
