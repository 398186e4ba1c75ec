import { z } from 'zod';
import { emitAudit } from '../audit/emit-audit.js';
import type { ServiceContext } from '../core/service-context.js';
import { invalidInput } from '../core/service-error.js';
import { withTransaction } from '../core/with-transaction.js';
import { notifyUsers } from '../notifications/notify-users.js';
import { decideResponse, loadPendingResponse } from './response-approval.js';

export const rejectResponseInput = z.object({
  reason: z.string().trim().min(1, 'say why the reply should not go').max(2_000),
});

/**
 * A senior leader refuses a sensitive reply, with a reason the author is told. Nothing is sent;
 * the comment stays open with its deadline running (a holding reply or an offline contact still meets it).
 */
export async function rejectResponse(
  ctx: ServiceContext,
  responseId: string,
  raw: unknown,
): Promise<{ responseId: string; responseStatus: 'rejected' }> {
  const parsed = rejectResponseInput.safeParse(raw);
  if (!parsed.success) throw invalidInput(z.prettifyError(parsed.error));
  const { reason } = parsed.data;
  await withTransaction(ctx, async (tx) => {
    const { response, comment, label } = await loadPendingResponse(ctx, tx, responseId);
    // `error` holds why a reply did not go: the platform's refusal, or this decision.
    await decideResponse(tx, response, { status: 'rejected', error: reason, completedAt: new Date() });
    await emitAudit(tx, ctx, {
      action: 'response.rejected',
      schoolId: response.schoolId,
      subject: { type: 'response', id: response.id, label: `Reply to ${label}` },
      details: { commentId: comment.id, kind: response.kind, draftedBy: response.actorId, reason },
    });
    await notifyUsers(tx, {
      schoolId: response.schoolId,
      userIds: [response.actorId],
      event: 'reply.rejected',
      urgency: 'normal',
      title: 'Your reply was not approved',
      body: `${ctx.actor.label} did not approve your reply to ${label}: ${reason.slice(0, 300)}`,
      link: `/comments/${comment.id}`,
      subject: { type: 'response', id: response.id },
    });
  });
  return { responseId, responseStatus: 'rejected' };
}
