import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { PARENT_CONTACTS, parentRequests } from '../../db/schema/index.js';
import { assertAdminOrRole } from '../accounts/account-access.js';
import { assertPolicyAcknowledged } from '../accounts/policy-gate.js';
import { emitAudit } from '../audit/emit-audit.js';
import type { SchoolClassifierCache } from '../classification/school-classifier-cache.js';
import { commentLabel } from '../comments/comment-label.js';
import { standingMarks } from '../comments/pupil-author.js';
import { loadReplyPolicy } from '../comments/reply-policy.js';
import { requireUserId } from '../core/authorization.js';
import type { ServiceContext } from '../core/service-context.js';
import { conflict, invalidInputFrom, preconditionFailed } from '../core/service-error.js';
import { withTransaction } from '../core/with-transaction.js';
import { platformProfile } from '../platforms/platform-profiles.js';
import { type ActionDispatch, dispatchAll, loadCommentWithAccount } from './action-access.js';
import { parentPrivateMessage } from './notice-templates.js';
import { isHiddenOrGoing, takeAction } from './take-action.js';

export const askParentInput = z.object({
  /** public: a notice under the comment; private: a message sent in the platform's app (recorded) */
  contact: z.enum(PARENT_CONTACTS, { error: 'choose a public notice or a private message' }),
});

export interface AskParentResult {
  requestId: string;
  contact: 'public' | 'private';
  /** the private message to send in the platform's app; null for a public notice */
  message: string | null;
}

/**
 * P9 (002 §5 Parents/Carers): for an offensive comment by an author marked as a parent or carer,
 * ask them to remove it and invite them to talk, with the complaints procedure — privately where
 * the platform allows (the platform's own app; Hallmonitor drafts the message and records it sent),
 * publicly otherwise (the parent notice, posted through the moderation path). Tracked until the
 * comment is gone from the platform or the request is escalated. Never once the comment is hidden.
 */
export async function askParentToRemove(
  ctx: ServiceContext,
  commentId: string,
  raw: unknown,
  deps: { dispatch?: ActionDispatch; classifiers?: SchoolClassifierCache } = {},
): Promise<AskParentResult> {
  const parsed = askParentInput.safeParse(raw);
  if (!parsed.success) throw invalidInputFrom(parsed.error);
  const { contact } = parsed.data;
  const result = await withTransaction(ctx, async (tx, txCtx) => {
    const { comment, account } = await loadCommentWithAccount(ctx, tx, commentId);
    assertAdminOrRole(ctx, account, ['senior_leader'], 'ask a parent to remove their comment');
    await assertPolicyAcknowledged(tx, ctx, account.schoolId, 'ask a parent to remove their comment');
    if (!(await standingMarks(tx, account.id, comment.authorExternalId)).has('parent'))
      throw preconditionFailed('Mark the author as a parent or carer first: this is the path for a parent');
    const [existing] = await tx
      .select({ id: parentRequests.id })
      .from(parentRequests)
      .where(eq(parentRequests.commentId, comment.id));
    if (existing)
      throw conflict('This parent has already been asked to remove the comment', { requestId: existing.id });
    if (await isHiddenOrGoing(tx, comment.id))
      throw preconditionFailed(
        'This comment is already hidden or removed (or about to be): the parent can no longer remove it, so asking would mislead',
      );
    const profile = platformProfile(account.platform);
    if (contact === 'private' && !profile.privateMessage)
      throw preconditionFailed(
        `${profile.displayName} does not let the school message a commenter privately: ask publicly`,
      );

    let noticeActionId: string | null = null;
    let message: string | null = null;
    if (contact === 'public') {
      const { action } = await takeAction(
        txCtx,
        {
          commentId: comment.id,
          kind: 'notice',
          reasonCategory: 'offensive',
          reasonText: 'P9: a parent is asked to remove their comment and invited to talk',
          noticeTemplate: 'parent_remove_and_talk',
        },
        undefined,
        deps.classifiers,
      );
      noticeActionId = action.id;
    } else {
      message = parentPrivateMessage(await loadReplyPolicy(tx, account.schoolId));
    }
    const [row] = await tx
      .insert(parentRequests)
      .values({
        schoolId: account.schoolId,
        accountId: account.id,
        commentId: comment.id,
        contact,
        noticeActionId,
        requestedBy: requireUserId(ctx),
      })
      .returning();
    await emitAudit(tx, ctx, {
      action: 'comment.parent_asked',
      schoolId: account.schoolId,
      subject: { type: 'comment', id: comment.id, label: commentLabel(comment, account) },
      details: { requestId: row!.id, contact, ...(noticeActionId ? { noticeActionId } : {}) },
      ...(message ? { personal: { message } } : {}),
    });
    return { requestId: row!.id, contact, message, noticeActionId };
  });
  if (result.noticeActionId) await dispatchAll(deps.dispatch, [result.noticeActionId]);
  return { requestId: result.requestId, contact: result.contact, message: result.message };
}
