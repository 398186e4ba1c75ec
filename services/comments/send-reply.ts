import { and, eq } from 'drizzle-orm';
import { comments, responses, socialAccounts } from '../../db/schema/index.js';
import { openAccountAdapter } from '../accounts/open-account-adapter.js';
import { emitAudit } from '../audit/emit-audit.js';
import { recordAfterExternalCall } from '../core/retry-on-connection-loss.js';
import type { ServiceContext } from '../core/service-context.js';
import { withTransaction } from '../core/with-transaction.js';
import { isPlatformError, PlatformError } from '../platforms/adapter.js';
import type { AdapterFactory } from '../platforms/adapter-factory.js';
import type { CommentEffects } from './comment-effects.js';
import { commentLabel } from './comment-label.js';
import { meetDeadline } from './meet-deadline.js';

export type SendReplyResult =
  | { status: 'sent'; externalId: string; metDeadline: boolean | null }
  | { status: 'failed'; error: string }
  | { status: 'not_sending' };

export interface SendReplyDeps {
  encryptionKey: Buffer;
  adapterFor: AdapterFactory;
  timers: CommentEffects['timers'];
}

/**
 * Posts a queued public reply on the platform (the `send-reply` job, keyed by the response). The
 * reply meets the comment's deadline when the platform confirms it. A failure retrying cannot fix
 * (auth, permanent, unsupported) marks the response failed and leaves the comment open; anything
 * else is thrown for the job's backoff.
 */
export async function sendReply(
  ctx: ServiceContext,
  input: { responseId: string },
  deps: SendReplyDeps,
): Promise<SendReplyResult> {
  const [row] = await ctx.db
    .select({ response: responses, comment: comments, account: socialAccounts })
    .from(responses)
    .innerJoin(comments, eq(comments.id, responses.commentId))
    .innerJoin(socialAccounts, eq(socialAccounts.id, comments.accountId))
    .where(eq(responses.id, input.responseId));
  if (row?.response.status !== 'sending') return { status: 'not_sending' };
  const { response, comment, account } = row;
  const label = commentLabel(comment, account);
  const subject = { type: 'response', id: response.id, label: `Reply to ${label}` };

  let posted: { externalId: string; url: string };
  try {
    // Never a blank post in the school's name (a redaction clears the text of a reply).
    if (!response.text.trim()) throw new PlatformError('permanent', 'The reply has no text to post');
    const adapter = openAccountAdapter(ctx, account, deps, 'reply');
    posted = await adapter.reply(comment.externalId, response.text);
  } catch (error) {
    const final =
      !isPlatformError(error) || ['auth', 'permanent', 'unsupported', 'malformed'].includes(error.kind);
    if (!final) throw error;
    const message = (error as Error).message;
    await withTransaction(ctx, async (tx) => {
      const [failed] = await tx
        .update(responses)
        .set({ status: 'failed', error: message, completedAt: new Date() })
        .where(and(eq(responses.id, response.id), eq(responses.status, 'sending')))
        .returning({ id: responses.id });
      if (!failed) return;
      await emitAudit(tx, ctx, {
        action: 'response.failed',
        schoolId: response.schoolId,
        subject,
        details: { commentId: comment.id, error: message },
      });
    });
    return { status: 'failed', error: message };
  }

  const at = new Date();
  // The reply is on the platform: a lost database connection retries the recording, not the post.
  const outcome = await recordAfterExternalCall(ctx, async (tx) => {
    const [sent] = await tx
      .update(responses)
      .set({
        status: 'sent',
        externalId: posted.externalId,
        completedAt: at,
        platformResult: { url: posted.url },
      })
      .where(and(eq(responses.id, response.id), eq(responses.status, 'sending')))
      .returning({ id: responses.id });
    if (!sent) return null;
    await emitAudit(tx, ctx, {
      action: 'response.sent',
      schoolId: response.schoolId,
      subject,
      details: { commentId: comment.id, externalId: posted.externalId, url: posted.url },
    });
    // A holding reply meets the deadline but leaves the comment in the follow-up queue (P2).
    const holding = response.kind === 'acknowledgement';
    const met = await meetDeadline(tx, comment.id, at, 'responded', !holding);
    const metDeadline = met ? !met.deadlineAt || at <= met.deadlineAt : null;
    await emitAudit(tx, ctx, {
      action: 'comment.responded',
      schoolId: comment.schoolId,
      subject: { type: 'comment', id: comment.id, label },
      details: {
        responseId: response.id,
        kind: response.kind,
        ...(holding ? { holding: true } : {}),
        respondedBy: response.actorId,
        at: at.toISOString(),
        firstResponse: !!met,
        deadlineAt: comment.deadlineAt?.toISOString() ?? null,
        metDeadline,
      },
    });
    return { resolved: !!met, metDeadline };
  });
  if (!outcome) return { status: 'not_sending' };
  if (outcome.resolved) await deps.timers.remove([comment.id]);
  return { status: 'sent', externalId: posted.externalId, metDeadline: outcome.metDeadline };
}
