import { z } from 'zod';
import { assertPolicyAcknowledged } from '../accounts/policy-gate.js';
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
import { followSucceededAction } from './action-completion.js';

export const recordManualActionInput = z.object({
  actionId: z.uuid(),
  evidenceUrl: z
    .url({ protocol: /^https?$/ })
    .max(2_000)
    .optional(),
  note: z.string().trim().max(2_000).optional(),
});
export type RecordManualActionInput = z.input<typeof recordManualActionInput>;

/**
 * An admin did in the platform's own app what the platform's API cannot (delete on X, block
 * without enterprise, report) and records it here, once it was approved under the same rules.
 */
export async function recordManualAction(
  ctx: ServiceContext,
  raw: RecordManualActionInput,
  dispatch?: ActionDispatch,
): Promise<{ action: ActionView }> {
  const input = recordManualActionInput.parse(raw);
  requireUserId(ctx);
  const { action, follow } = await withTransaction(ctx, async (tx) => {
    const current = await loadOwnAction(ctx, tx, input.actionId, 'record an action on this account');
    await assertPolicyAcknowledged(tx, ctx, current.schoolId, 'moderate comments');
    // A platform action the platform refused may still be done in its own app, under the approval
    // it already has; one that is queued or running is the platform's to finish.
    const refused = current.mode === 'platform' && current.status === 'failed';
    if (current.mode !== 'manual' && !refused)
      throw conflict(
        `This ${current.kind} is carried out on the platform (it is ${current.status}); only a refused one can be recorded by hand`,
        { status: current.status },
      );
    if (current.status === 'proposed')
      throw conflict(`This ${current.kind} still needs a second admin's confirmation before it is done`, {
        status: current.status,
      });
    const updated = await transitionAction(tx, current, refused ? ['failed'] : ['approved'], {
      status: 'succeeded',
      mode: 'manual',
      error: null,
      evidenceUrl: input.evidenceUrl ?? null,
      platformResult: { recordedBy: ctx.actor.id, note: input.note ?? null },
      completedAt: new Date(),
    });
    const account = await loadAccountOf(tx, updated);
    const subject = actionSubject(updated, account);
    await emitAudit(tx, ctx, [
      {
        action: 'action.recorded',
        schoolId: updated.schoolId,
        subject,
        // The evidence (a capture of the person's post) and the note can identify them: beside
        // the chain, where retention and erasure reach, not in the hashed details.
        details: {
          hasEvidence: updated.evidenceUrl !== null,
          hasNote: !!input.note,
          ...(refused ? { afterRefusal: current.error } : {}),
        },
        ...(updated.evidenceUrl || input.note
          ? { personal: { evidenceUrl: updated.evidenceUrl, note: input.note ?? null } }
          : {}),
      },
      {
        action: 'action.succeeded',
        schoolId: updated.schoolId,
        subject,
        details: { mode: 'manual', kind: updated.kind },
      },
    ]);
    return { action: updated, follow: await followSucceededAction(tx, ctx, updated, account) };
  });
  await dispatchAll(dispatch, follow);
  return { action: describeAction(action) };
}
