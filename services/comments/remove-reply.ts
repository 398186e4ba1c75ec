import { and, eq, isNull } from 'drizzle-orm';
import { z } from 'zod';
import { comments, responses, socialAccounts } from '../../db/schema/index.js';
import { assertAdminOrRole } from '../accounts/account-access.js';
import { openAccountAdapter } from '../accounts/open-account-adapter.js';
import { emitAudit } from '../audit/emit-audit.js';
import { assertInScope, requireUserId } from '../core/authorization.js';
import { recordAfterExternalCall } from '../core/retry-on-connection-loss.js';
import type { ServiceContext } from '../core/service-context.js';
import { conflict, invalidInputFrom, notFound, ServiceError } from '../core/service-error.js';
import { isPlatformError } from '../platforms/adapter.js';
import type { AdapterFactory } from '../platforms/adapter-factory.js';
import { commentLabel } from './comment-label.js';

export const removeReplyInput = z.object({
  reason: z.string().trim().min(5, 'say why the reply was sent in error (at least 5 characters)').max(2_000),
});
export type RemoveReplyInput = z.input<typeof removeReplyInput>;

export interface RemoveReplyDeps {
  encryptionKey: Buffer;
  adapterFor: AdapterFactory;
}

/**
 * Takes a reply the school sent in error off the platform (002 §8, 000 §7.2, 001 §8.2), with the
 * reason, audited. The platform is read-then-acted on by the adapter: a reply already gone counts
 * as removed, so a second click or a retry records once and posts nothing. The reply stays in the
 * record (what was said, when, by whom), marked removed.
 */
export async function removeReply(
  ctx: ServiceContext,
  responseId: string,
  raw: unknown,
  deps: RemoveReplyDeps,
): Promise<{ responseId: string; removedAt: Date; alreadyGone: boolean }> {
  const parsed = removeReplyInput.safeParse(raw);
  if (!parsed.success) throw invalidInputFrom(parsed.error);
  const { reason } = parsed.data;
  const [row] = await ctx.db
    .select({ response: responses, comment: comments, account: socialAccounts })
    .from(responses)
    .innerJoin(comments, eq(comments.id, responses.commentId))
    .innerJoin(socialAccounts, eq(socialAccounts.id, comments.accountId))
    .where(eq(responses.id, responseId));
  if (!row) throw notFound('That reply');
  const { response, comment, account } = row;
  assertInScope(ctx, response.schoolId, 'That reply');
  assertAdminOrRole(ctx, account, ['comms', 'senior_leader'], 'remove a reply sent in error');
  if (response.removedAt) throw conflict('That reply has already been removed from the platform');
  if (response.status !== 'sent' || !response.externalId) {
    throw conflict(
      `Only a reply posted on the platform can be removed (this one is ${response.status.replace('_', ' ')})`,
    );
  }

  let alreadyGone = false;
  try {
    const adapter = openAccountAdapter(ctx, account, deps, 'action');
    alreadyGone = (await adapter.deleteOwnPost(response.externalId)).alreadyInState;
  } catch (error) {
    if (!isPlatformError(error)) throw error;
    throw new ServiceError(
      error.kind === 'rate_limited' || error.kind === 'transient'
        ? 'UPSTREAM_UNAVAILABLE'
        : 'PRECONDITION_FAILED',
      `The platform did not remove the reply: ${error.message}`,
    );
  }

  const at = new Date();
  const label = commentLabel(comment, account);
  const recorded = await recordAfterExternalCall(ctx, async (tx, txCtx) => {
    const [removed] = await tx
      .update(responses)
      .set({ removedAt: at, removedBy: requireUserId(ctx), removedReason: reason })
      .where(and(eq(responses.id, response.id), isNull(responses.removedAt)))
      .returning({ id: responses.id });
    if (!removed) return false;
    await emitAudit(tx, txCtx, {
      action: 'response.removed',
      schoolId: response.schoolId,
      subject: { type: 'response', id: response.id, label: `Reply to ${label}` },
      details: { commentId: comment.id, externalId: response.externalId, reason, alreadyGone },
    });
    return true;
  });
  if (!recorded) throw conflict('That reply was removed by someone else a moment ago');
  return { responseId: response.id, removedAt: at, alreadyGone };
}
