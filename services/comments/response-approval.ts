import { and, eq } from 'drizzle-orm';
import type { Transaction } from '../../db/client.js';
import { comments, type Response, responses, socialAccounts } from '../../db/schema/index.js';
import { approverNames, mediaApprovers } from '../accounts/conduct-settings.js';
import { assertPolicyAcknowledged } from '../accounts/policy-gate.js';
import { assertInScope, assertRole, requireUserId } from '../core/authorization.js';
import type { ServiceContext } from '../core/service-context.js';
import { conflict, forbidden, notFound } from '../core/service-error.js';
import { commentLabel } from './comment-label.js';

/**
 * A reply waiting for a senior leader, locked for the decision. Another school's answers 404, a
 * person who is not a senior leader there 403, nobody decides on their own draft, and a reply
 * already decided answers 409 (two senior leaders clicking at once: one wins).
 */
export async function loadPendingResponse(ctx: ServiceContext, tx: Transaction, responseId: string) {
  const [row] = await tx
    .select({ response: responses, comment: comments, account: socialAccounts })
    .from(responses)
    .innerJoin(comments, eq(comments.id, responses.commentId))
    .innerJoin(socialAccounts, eq(socialAccounts.id, comments.accountId))
    .where(eq(responses.id, responseId))
    .for('update', { of: responses });
  if (!row) throw notFound('That reply');
  assertInScope(ctx, row.response.schoolId, 'That reply');
  assertRole(ctx, row.response.schoolId, ['senior_leader'], 'approve or reject replies');
  await assertPolicyAcknowledged(tx, ctx, row.response.schoolId, 'approve or reject replies');
  if (ctx.actor.type === 'user' && row.response.actorId === requireUserId(ctx)) {
    throw forbidden('Nobody approves or rejects their own reply; another senior leader must decide');
  }
  if (row.comment.categories.includes('media_enquiry')) {
    // P6: a journalist's enquiry goes to the headteacher; "written approval" is theirs or a named deputy's.
    const approvers = await mediaApprovers(tx, row.response.schoolId);
    if (!approvers.ids.includes(requireUserId(ctx))) {
      throw forbidden(
        `Only ${approverNames(approvers)} may approve or reject a reply to a media enquiry (P6); the school names them in Settings`,
      );
    }
  }
  if (row.response.status !== 'pending_approval') {
    throw conflict(`That reply is not waiting for approval (it is ${row.response.status.replace('_', ' ')})`);
  }
  return { ...row, label: commentLabel(row.comment, row.account) };
}

/** Moves a pending reply on, only if it is still pending. */
export async function decideResponse(
  tx: Transaction,
  response: Pick<Response, 'id'>,
  set: Partial<typeof responses.$inferInsert>,
): Promise<Response> {
  const [updated] = await tx
    .update(responses)
    .set(set)
    .where(and(eq(responses.id, response.id), eq(responses.status, 'pending_approval')))
    .returning();
  if (!updated) throw conflict('That reply was decided by someone else a moment ago');
  return updated;
}
