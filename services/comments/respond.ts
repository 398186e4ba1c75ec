import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { responses, socialAccounts } from '../../db/schema/index.js';
import { assertAdminOrRole } from '../accounts/account-access.js';
import { emitAudit } from '../audit/emit-audit.js';
import { assertRole, requireUserId } from '../core/authorization.js';
import type { ServiceContext } from '../core/service-context.js';
import { invalidInput, notFound } from '../core/service-error.js';
import { withTransaction } from '../core/with-transaction.js';
import type { CommentEffects } from './comment-effects.js';
import { commentLabel } from './comment-label.js';
import { loadComment } from './load-comment.js';
import { meetDeadline } from './meet-deadline.js';

const note = z.string().trim().min(1).max(2_000);

/** The ways a comment is answered (P2); each meets the deadline, an acknowledgement included. */
export const respondInputSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('acknowledgement'), text: z.string().trim().max(2_000).optional() }),
  z.object({ kind: z.literal('offline'), channel: z.enum(['phone', 'meeting', 'email']), note }),
  z.object({
    kind: z.literal('private_reply'),
    text: z.string().trim().min(1).max(10_000),
    note: note.optional(),
  }),
  z.object({ kind: z.literal('no_response_needed'), reason: note }),
  z.object({ kind: z.literal('public_reply'), text: z.string().trim().min(1).max(10_000) }),
]);
export type RespondInput = z.input<typeof respondInputSchema>;

export interface RespondResult {
  responseId: string;
  kind: RespondInput['kind'];
  responseStatus: 'sending' | 'recorded';
  commentStatus: 'open' | 'responded' | 'closed';
  /** Whether this response met the deadline; null while a public reply waits for the platform. */
  metDeadline: boolean | null;
}

/**
 * Records a response to a comment. Offline, private, acknowledgement and "no response needed" meet
 * the deadline now; a public reply is queued for the platform and meets it when the platform
 * confirms (send-reply). Comms, senior leaders and the account's admins respond; only comms and
 * senior leaders may close a comment as needing no response.
 */
export async function respond(
  ctx: ServiceContext,
  commentId: string,
  rawInput: unknown,
  effects: CommentEffects,
): Promise<RespondResult> {
  const parsed = respondInputSchema.safeParse(rawInput);
  if (!parsed.success) throw invalidInput(z.prettifyError(parsed.error));
  const input = parsed.data;
  const now = new Date();

  const result = await withTransaction(ctx, async (tx) => {
    const comment = await loadComment(ctx, tx, commentId, { forUpdate: true });
    const [account] = await tx.select().from(socialAccounts).where(eq(socialAccounts.id, comment.accountId));
    if (!account) throw notFound('That comment');
    if (input.kind === 'no_response_needed') {
      assertRole(ctx, comment.schoolId, ['senior_leader', 'comms'], 'close a comment as needing no response');
    } else {
      assertAdminOrRole(ctx, account, ['comms', 'senior_leader'], 'respond to comments');
    }

    const sending = input.kind === 'public_reply';
    const [response] = await tx
      .insert(responses)
      .values({
        schoolId: comment.schoolId,
        commentId: comment.id,
        kind: input.kind,
        status: sending ? 'sending' : 'recorded',
        text: 'text' in input ? (input.text ?? '') : '',
        channel: input.kind === 'offline' ? input.channel : null,
        note:
          input.kind === 'no_response_needed' ? input.reason : 'note' in input ? (input.note ?? null) : null,
        actorId: requireUserId(ctx),
        completedAt: sending ? null : now,
      })
      .returning();
    if (!response) throw new Error('insert into responses returned no row');

    const label = commentLabel(comment, account);
    const how = {
      responseId: response.id,
      kind: input.kind,
      ...(input.kind === 'offline' ? { channel: input.channel } : {}),
    };
    if (sending) {
      await emitAudit(tx, ctx, {
        action: 'response.queued',
        schoolId: comment.schoolId,
        subject: { type: 'response', id: response.id, label: `Reply to ${label}` },
        details: { commentId: comment.id },
        personal: { text: response.text },
      });
      return { response, comment, resolved: false, metDeadline: null };
    }

    const status = input.kind === 'no_response_needed' ? 'closed' : 'responded';
    const met = await meetDeadline(tx, comment.id, now, status);
    const personal: Record<string, unknown> = {};
    if (response.text) personal.text = response.text;
    if (response.note) personal.note = response.note;
    const metDeadline = met ? !met.deadlineAt || now <= met.deadlineAt : null;
    await emitAudit(tx, ctx, {
      action: status === 'closed' ? 'comment.closed' : 'comment.responded',
      schoolId: comment.schoolId,
      subject: { type: 'comment', id: comment.id, label },
      details: {
        ...how,
        at: now.toISOString(),
        firstResponse: !!met,
        deadlineAt: comment.deadlineAt?.toISOString() ?? null,
        metDeadline,
      },
      ...(Object.keys(personal).length ? { personal } : {}),
    });
    return { response, comment: met ?? comment, resolved: !!met, metDeadline };
  });

  if (result.resolved) await effects.timers.remove([result.comment.id]);
  if (result.response.status === 'sending') await effects.sendReply(result.response.id);
  return {
    responseId: result.response.id,
    kind: input.kind,
    responseStatus: result.response.status === 'sending' ? 'sending' : 'recorded',
    commentStatus: result.comment.status,
    metDeadline: result.metDeadline,
  };
}
