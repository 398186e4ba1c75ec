import { and, eq, sql } from 'drizzle-orm';
import type { Transaction } from '../../db/client.js';
import { type Comment, comments } from '../../db/schema/index.js';

/**
 * The first response to an open comment meets its deadline (P2): it records when, and moves the
 * comment to responded (or closed, for "no response needed"). Conditional on the comment being
 * open, so of two responses racing only the first is the one that met the deadline.
 */
export async function meetDeadline(
  tx: Transaction,
  commentId: string,
  at: Date,
  status: 'responded' | 'closed',
): Promise<Comment | undefined> {
  const [comment] = await tx
    .update(comments)
    .set({
      status,
      firstResponseAt: sql`coalesce(${comments.firstResponseAt}, ${at.toISOString()}::timestamptz)`,
      resolvedAt: at,
    })
    .where(and(eq(comments.id, commentId), eq(comments.status, 'open')))
    .returning();
  return comment;
}
