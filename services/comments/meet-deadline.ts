import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { Transaction } from '../../db/client.js';
import { type Comment, comments, schools } from '../../db/schema/index.js';
import { followUpDueAt } from '../deadlines/follow-up.js';

/**
 * The first response to an open comment meets its deadline (P2): it records when, and moves the
 * comment to responded (or closed, for "no response needed"). Conditional on the comment being
 * open, so of two responses racing only the first is the one that met the deadline.
 *
 * `answered` says whether this response answers the commenter in full. A holding reply (or a
 * holding offline contact) meets the deadline but does not: the comment then waits in the
 * follow-up queue, due by the school's follow-up target. A full answer to a comment already held
 * marks it answered (it leaves the queue) without moving its first response.
 */
export async function meetDeadline(
  tx: Transaction,
  commentId: string,
  at: Date,
  status: 'responded' | 'closed',
  answered = true,
): Promise<Comment | undefined> {
  const [comment] = await tx
    .update(comments)
    .set({
      status,
      firstResponseAt: sql`coalesce(${comments.firstResponseAt}, ${at.toISOString()}::timestamptz)`,
      resolvedAt: at,
      ...(answered ? { answeredAt: at } : { followUpDueAt: await followUpFor(tx, commentId, at) }),
    })
    .where(and(eq(comments.id, commentId), eq(comments.status, 'open')))
    .returning();
  if (!comment && answered) await markAnswered(tx, commentId, at, status);
  return comment;
}

/** A full answer (or a close) to a comment already held by a holding reply: it leaves the follow-up queue. */
export async function markAnswered(
  tx: Transaction,
  commentId: string,
  at: Date,
  status: 'responded' | 'closed' = 'responded',
): Promise<void> {
  await tx
    .update(comments)
    .set({ answeredAt: at, ...(status === 'closed' ? { status } : {}) })
    .where(and(eq(comments.id, commentId), eq(comments.status, 'responded'), isNull(comments.answeredAt)));
}

async function followUpFor(tx: Transaction, commentId: string, at: Date): Promise<Date> {
  const [row] = await tx
    .select({
      calendar: schools.calendar,
      timeZone: schools.timeZone,
      followUpWorkingDays: schools.followUpWorkingDays,
    })
    .from(comments)
    .innerJoin(schools, eq(schools.id, comments.schoolId))
    .where(inArray(comments.id, [commentId]));
  if (!row) throw new Error(`comment ${commentId} has no school`);
  return followUpDueAt(row, at);
}
