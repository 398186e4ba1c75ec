import { z } from 'zod';
import { emitAudit } from '../audit/emit-audit.js';
import { checkOutgoingReply, problemSummary } from '../classification/check-outgoing-reply.js';
import { requireUserId } from '../core/authorization.js';
import type { ServiceContext } from '../core/service-context.js';
import { invalidInputFrom, preconditionFailed } from '../core/service-error.js';
import { withTransaction } from '../core/with-transaction.js';
import { notifyUsers } from '../notifications/notify-users.js';
import { meetDeadline } from './meet-deadline.js';
import type { RespondEffects } from './respond.js';
import { decideResponse, loadPendingResponse } from './response-approval.js';

export const approveResponseInput = z.object({
  note: z.string().trim().min(1).max(2_000).optional(),
  /** Send it although the outgoing check now refuses it (the roster changed since it was drafted). */
  overrideReason: z.string().trim().min(5).max(2_000).optional(),
});

export interface ApproveResponseResult {
  responseId: string;
  responseStatus: 'sending' | 'recorded';
  commentStatus: 'open' | 'responded' | 'closed';
  metDeadline: boolean | null;
  /** False when the queue failed after the approval was saved; the reply relay sends it later. */
  queued?: boolean;
  notice?: string;
}

/**
 * A senior leader's written approval of a sensitive reply (P6, P10). A public reply moves to
 * sending and its send-reply job is queued after commit: the deadline is met when the platform
 * confirms it. A private reply (sent outside Hallmonitor) is recorded and meets the deadline now.
 * The outgoing check runs again, since the roster or lexicon may have changed since the draft.
 */
export async function approveResponse(
  ctx: ServiceContext,
  responseId: string,
  raw: unknown,
  effects: RespondEffects,
): Promise<ApproveResponseResult> {
  const parsed = approveResponseInput.safeParse(raw ?? {});
  if (!parsed.success) throw invalidInputFrom(parsed.error);
  const input = parsed.data;
  const now = new Date();
  const outcome = await withTransaction(ctx, async (tx) => {
    const { response, comment, label } = await loadPendingResponse(ctx, tx, responseId);
    const approver = requireUserId(ctx);
    const classifier = await effects.classifiers.forSchool(tx, comment.schoolId);
    const check = checkOutgoingReply(response.text, classifier);
    const overrideReason = input.overrideReason ?? response.overrideReason;
    if (!check.ok && !overrideReason) {
      throw preconditionFailed(
        `This reply cannot be sent: ${check.problems.map((p) => p.message).join(' ')}`,
        { problems: problemSummary(check.problems) },
      );
    }
    const isPublic = response.kind === 'public_reply';
    const updated = await decideResponse(tx, response, {
      status: isPublic ? 'sending' : 'recorded',
      approvedBy: approver,
      overrideReason: check.ok ? response.overrideReason : overrideReason,
      completedAt: isPublic ? null : now,
    });
    const subject = { type: 'response', id: response.id, label: `Reply to ${label}` };
    if (!check.ok && input.overrideReason) {
      await emitAudit(tx, ctx, {
        action: 'response.check_overridden',
        schoolId: response.schoolId,
        subject,
        details: {
          commentId: comment.id,
          kind: response.kind,
          reason: input.overrideReason,
          problems: check.problems.map(({ category, subcategory, spans }) => ({
            category,
            subcategory,
            spans,
          })),
        },
        personal: { text: response.text },
      });
    }
    await emitAudit(tx, ctx, {
      action: 'response.approved',
      schoolId: response.schoolId,
      subject,
      details: {
        commentId: comment.id,
        kind: response.kind,
        draftedBy: response.actorId,
        note: input.note ?? null,
      },
    });
    await notifyUsers(tx, {
      schoolId: response.schoolId,
      userIds: [response.actorId],
      event: 'reply.approved',
      urgency: 'normal',
      title: 'Your reply was approved',
      body: isPublic
        ? `${ctx.actor.label} approved your reply to ${label}; it is being sent.`
        : response.kind === 'offline'
          ? `${ctx.actor.label} approved your offline response to ${label}; make the contact as you wrote it.`
          : `${ctx.actor.label} approved your private reply to ${label}; send it now.`,
      link: `/comments/${comment.id}`,
      subject: { type: 'response', id: response.id },
    });
    if (isPublic) {
      await emitAudit(tx, ctx, {
        action: 'response.queued',
        schoolId: response.schoolId,
        subject,
        details: { commentId: comment.id, approvedBy: approver },
      });
      return { response: updated, comment, resolved: false, metDeadline: null };
    }
    // An offline holding contact meets the deadline but leaves the full answer owed (P2).
    const met = await meetDeadline(
      tx,
      comment.id,
      now,
      'responded',
      !(response.kind === 'offline' && response.holding),
    );
    const metDeadline = met ? !met.deadlineAt || now <= met.deadlineAt : null;
    await emitAudit(tx, ctx, {
      action: 'comment.responded',
      schoolId: comment.schoolId,
      subject: { type: 'comment', id: comment.id, label },
      details: {
        responseId: response.id,
        kind: response.kind,
        respondedBy: response.actorId,
        approvedBy: approver,
        at: now.toISOString(),
        firstResponse: !!met,
        deadlineAt: comment.deadlineAt?.toISOString() ?? null,
        metDeadline,
      },
    });
    return { response: updated, comment: met ?? comment, resolved: !!met, metDeadline };
  });
  // Saved and committed: a queue failure now must not answer 503; the reply relay sends it later.
  if (outcome.resolved) await effects.timers.remove([outcome.comment.id]).catch(() => {});
  const queued =
    outcome.response.status === 'sending'
      ? await effects.sendReply(outcome.response.id).then(
          () => true,
          () => false,
        )
      : true;
  return {
    ...(queued
      ? {}
      : { queued, notice: 'The reply is approved and will be sent when the job queue is back.' }),
    responseId: outcome.response.id,
    responseStatus: outcome.response.status === 'sending' ? 'sending' : 'recorded',
    commentStatus: outcome.comment.status,
    metDeadline: outcome.metDeadline,
  };
}
