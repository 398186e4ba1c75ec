import { and, eq, inArray } from 'drizzle-orm';
import { z } from 'zod';
import { moderationActions } from '../../db/schema/index.js';
import { emitAudit } from '../audit/emit-audit.js';
import { requireUserId } from '../core/authorization.js';
import type { ServiceContext } from '../core/service-context.js';
import { conflict } from '../core/service-error.js';
import { withTransaction } from '../core/with-transaction.js';
import {
  type ActionDispatch,
  type ActionView,
  actionSubject,
  describeAction,
  dispatchAll,
  loadAccountOf,
  loadOwnAction,
  transitionAction,
} from './action-access.js';

export const retryActionInput = z.object({ actionId: z.uuid() });
export type RetryActionInput = z.input<typeof retryActionInput>;

const OPEN = ['proposed', 'approved', 'queued', 'executing'] as const;

/**
 * An account admin tries a failed platform action again (after reconnecting the account, or once
 * the platform answers again). The approval it had stands: it goes back to the queue as it was.
 */
export async function retryAction(
  ctx: ServiceContext,
  raw: RetryActionInput,
  dispatch?: ActionDispatch,
): Promise<{ action: ActionView }> {
  const input = retryActionInput.parse(raw);
  requireUserId(ctx);
  const action = await withTransaction(ctx, async (tx) => {
    const current = await loadOwnAction(ctx, tx, input.actionId, 'retry an action on this account');
    if (current.mode !== 'platform')
      throw conflict('This action is done by hand in the platform’s app: record it instead');
    if (current.commentId) {
      const [open] = await tx
        .select({ id: moderationActions.id })
        .from(moderationActions)
        .where(
          and(
            eq(moderationActions.commentId, current.commentId),
            eq(moderationActions.kind, current.kind),
            inArray(moderationActions.status, [...OPEN]),
          ),
        );
      if (open)
        throw conflict(`Another ${current.kind} of this comment is already under way`, { actionId: open.id });
    }
    const updated = await transitionAction(tx, current, ['failed'], {
      status: 'queued',
      attempts: 0,
      error: null,
      completedAt: null,
    });
    const account = await loadAccountOf(tx, updated);
    await emitAudit(tx, ctx, {
      action: 'action.retried',
      schoolId: updated.schoolId,
      subject: actionSubject(updated, account),
      details: { previousError: current.error, previousAttempts: current.attempts },
    });
    return updated;
  });
  await dispatchAll(dispatch, [action.id]);
  return { action: describeAction(action) };
}
