import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { comments, socialAccounts } from '../../db/schema/index.js';
import { assertAdminOrRole } from '../accounts/account-access.js';
import { emitAudit } from '../audit/emit-audit.js';
import type { ServiceContext } from '../core/service-context.js';
import { invalidField, invalidInputFrom, notFound } from '../core/service-error.js';
import { withTransaction } from '../core/with-transaction.js';
import { assignableUsers } from './assignable-users.js';
import { commentLabel } from './comment-label.js';
import { loadComment } from './load-comment.js';

export const assignCommentInputSchema = z.object({
  /** null clears the assignment. */
  assigneeId: z.uuid().nullable(),
});

/**
 * Gives a comment to one person to answer; they hear of its deadline warning. The assignee must be
 * someone who may respond: comms or a senior leader at the school, or an admin of the account.
 */
export async function assignComment(
  ctx: ServiceContext,
  commentId: string,
  rawInput: unknown,
): Promise<{ commentId: string; assigneeId: string | null }> {
  const parsed = assignCommentInputSchema.safeParse(rawInput);
  if (!parsed.success) throw invalidInputFrom(parsed.error);
  const { assigneeId } = parsed.data;

  return withTransaction(ctx, async (tx) => {
    const comment = await loadComment(ctx, tx, commentId, { forUpdate: true });
    const [account] = await tx.select().from(socialAccounts).where(eq(socialAccounts.id, comment.accountId));
    if (!account) throw notFound('That comment');
    assertAdminOrRole(ctx, account, ['comms', 'senior_leader'], 'assign comments');

    let assigneeLabel: string | null = null;
    if (assigneeId) {
      const [assignee] = await assignableUsers(
        tx,
        { schoolId: comment.schoolId, accountId: account.id },
        { onlyUserId: assigneeId, limit: 1 },
      );
      if (!assignee)
        throw invalidField(
          'assigneeId',
          'The assignee must be comms, a senior leader or an admin of the account',
        );
      assigneeLabel = assignee.name;
    }

    await tx.update(comments).set({ assigneeId }).where(eq(comments.id, comment.id));
    await emitAudit(tx, ctx, {
      action: 'comment.assigned',
      schoolId: comment.schoolId,
      subject: { type: 'comment', id: comment.id, label: commentLabel(comment, account) },
      details: {
        before: comment.assigneeId,
        after: assigneeId,
        ...(assigneeLabel ? { assigneeLabel } : {}),
      },
    });
    return { commentId: comment.id, assigneeId };
  });
}
