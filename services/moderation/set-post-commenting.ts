import { z } from 'zod';
import { openAccountAdapter } from '../accounts/open-account-adapter.js';
import { emitAudit } from '../audit/emit-audit.js';
import { commentLabel } from '../comments/comment-label.js';
import { assertAccountAdmin } from '../core/authorization.js';
import { recordAfterExternalCall } from '../core/retry-on-connection-loss.js';
import type { ServiceContext } from '../core/service-context.js';
import { invalidInput, preconditionFailed, ServiceError } from '../core/service-error.js';
import { withTransaction } from '../core/with-transaction.js';
import { isPlatformError } from '../platforms/adapter.js';
import type { AdapterFactory } from '../platforms/adapter-factory.js';
import { platformProfile } from '../platforms/platform-profiles.js';
import { loadCommentWithAccount } from './action-access.js';

export const setPostCommentingInput = z.object({
  enabled: z.boolean(),
  reason: z.string().trim().min(5, 'say why (at least 5 characters)').max(2_000),
});
export type SetPostCommentingInput = z.input<typeof setPostCommentingInput>;

export interface SetPostCommentingDeps {
  encryptionKey: Buffer;
  adapterFor: AdapterFactory;
}

/**
 * Turns commenting off (or on again) on the post a comment is under, where the platform's API can
 * (Instagram): a pile-on is stopped at its source. One of the account's admins does it, at once
 * (like a hide), with a reason; the adapter reads the post's state before and after, so a second
 * click changes nothing. The request is audited before the platform is asked and the outcome after,
 * recording what the platform now says.
 */
export async function setPostCommenting(
  ctx: ServiceContext,
  commentId: string,
  raw: unknown,
  deps: SetPostCommentingDeps,
): Promise<{ postExternalId: string; commentsEnabled: boolean; alreadyInState: boolean }> {
  const parsed = setPostCommentingInput.safeParse(raw);
  if (!parsed.success) throw invalidInput(z.prettifyError(parsed.error));
  const { enabled, reason } = parsed.data;
  const { comment, account } = await loadCommentWithAccount(ctx, ctx.db, commentId);
  assertAccountAdmin(ctx, account.id, `turn commenting ${enabled ? 'on' : 'off'} on a post`);
  const profile = platformProfile(account.platform);
  if (!profile.capabilities.turnOffComments)
    throw preconditionFailed(
      profile.capabilities.notes?.turnOffComments ??
        `${profile.displayName}'s API cannot turn commenting off on a post`,
    );

  const postId = comment.conversationId;
  if (!postId) throw preconditionFailed('Hallmonitor does not know which post this comment is under');

  // The intent is on record before the platform is asked, so a process that dies between the
  // platform's change and the outcome entry still leaves who asked for what, and why.
  const label = commentLabel(comment, account);
  const subject = { type: 'comment' as const, id: comment.id, label };
  await withTransaction(ctx, (tx, txCtx) =>
    emitAudit(tx, txCtx, {
      action: 'comment.post_commenting_requested',
      schoolId: comment.schoolId,
      subject,
      details: { accountId: account.id, postExternalId: postId, enabled, reason },
    }),
  );

  let alreadyInState = false;
  const adapter = openAccountAdapter(ctx, account, deps, 'action');
  try {
    if (!adapter.setCommentsEnabled || !adapter.readCommentsEnabled)
      throw preconditionFailed(`${profile.displayName}'s API cannot turn commenting off on a post`);
    alreadyInState = (await adapter.setCommentsEnabled(postId, enabled)).alreadyInState;
  } catch (error) {
    if (!isPlatformError(error)) throw error;
    throw new ServiceError(
      error.kind === 'rate_limited' || error.kind === 'transient'
        ? 'UPSTREAM_UNAVAILABLE'
        : 'PRECONDITION_FAILED',
      `${profile.displayName} did not change the post: ${error.message}`,
    );
  } finally {
    adapter.close();
  }

  await recordAfterExternalCall(ctx, (tx, txCtx) =>
    emitAudit(tx, txCtx, {
      action: enabled ? 'comment.post_commenting_turned_on' : 'comment.post_commenting_turned_off',
      schoolId: comment.schoolId,
      subject,
      details: {
        accountId: account.id,
        postExternalId: postId,
        reason,
        alreadyInState,
      },
    }),
  );
  return { postExternalId: postId, commentsEnabled: enabled, alreadyInState };
}
