import { z } from 'zod';
import { assertPolicyAcknowledged } from '../accounts/policy-gate.js';
import { type AuditEntryInput, emitAudit } from '../audit/emit-audit.js';
import { requireUserId } from '../core/authorization.js';
import type { ServiceContext } from '../core/service-context.js';
import { conflict, forbidden, preconditionFailed } from '../core/service-error.js';
import { withTransaction } from '../core/with-transaction.js';
import { accountAdminIds, notifyUsers } from '../notifications/notify-users.js';
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
import { type ActionOutcome, describeOutcome } from './action-outcome.js';
import { expireAction } from './expire-proposals.js';

export const confirmActionInput = z.object({
  actionId: z.uuid(),
  /** Break-glass: a senior leader confirms because the second admin is unavailable. */
  breakGlassReason: z.string().trim().min(1).max(2_000).optional(),
});
export type ConfirmActionInput = z.input<typeof confirmActionInput>;

/**
 * The second admin confirms a proposed delete, block or report (P3, P4). Nobody confirms their own
 * proposal; an expired proposal cannot be confirmed. A senior leader may break glass with a reason:
 * everyone on the account is told. Approval and the outbox row (status queued) commit together.
 */
export async function confirmAction(
  ctx: ServiceContext,
  raw: ConfirmActionInput,
  dispatch?: ActionDispatch,
): Promise<{ action: ActionView; outcome: ActionOutcome }> {
  const input = confirmActionInput.parse(raw);
  const userId = requireUserId(ctx);
  const outcome = await withTransaction(ctx, async (tx) => {
    const breakGlass = input.breakGlassReason !== undefined;
    const current = await loadOwnAction(ctx, tx, input.actionId, 'confirm an action on this account', {
      breakGlass,
    });
    await assertPolicyAcknowledged(tx, ctx, current.schoolId, 'moderate comments');
    if (current.proposedBy === userId)
      throw forbidden('You proposed this action: another admin must confirm it');
    if (current.status !== 'proposed')
      throw conflict(`This ${current.kind} is ${current.status}, not awaiting confirmation`, {
        status: current.status,
      });
    if (current.expiresAt && current.expiresAt <= new Date())
      return { expired: true as const, action: current };

    const account = await loadAccountOf(tx, current);
    const next = current.mode === 'platform' ? 'queued' : 'approved';
    const updated = await transitionAction(tx, current, ['proposed'], {
      status: next,
      confirmedBy: userId,
      breakGlassReason: input.breakGlassReason ?? null,
    });
    const subject = actionSubject(updated, account);
    const base = { schoolId: updated.schoolId, subject };
    const entries: AuditEntryInput[] = [];
    if (breakGlass) {
      entries.push({
        ...base,
        action: 'action.break_glass',
        details: { reason: input.breakGlassReason, proposedBy: current.proposedBy },
      });
    }
    entries.push({
      ...base,
      action: 'action.approved',
      details: {
        rule: breakGlass ? 'break_glass' : 'two_admins',
        proposedBy: current.proposedBy,
        kind: updated.kind,
        mode: updated.mode,
      },
    });
    if (next === 'queued') entries.push({ ...base, action: 'action.queued', details: { attempt: 1 } });
    await emitAudit(tx, ctx, entries);
    if (breakGlass) {
      const everyone = [
        ...(await accountAdminIds(tx, updated.accountId)),
        ...(current.proposedBy ? [current.proposedBy] : []),
      ];
      await notifyUsers(tx, {
        schoolId: updated.schoolId,
        userIds: everyone.filter((id) => id !== userId),
        event: 'action.break_glass',
        urgency: 'urgent',
        title: `A senior leader confirmed a ${updated.kind} in place of the second admin`,
        body: `${ctx.actor.label} confirmed the ${updated.kind} on ${subject.label.replace(/^\w+ on /, '')}. Reason: ${input.breakGlassReason}`,
        link: `/actions/${updated.id}`,
        subject: { type: 'action', id: updated.id },
      });
    } else if (current.proposedBy) {
      await notifyUsers(tx, {
        schoolId: updated.schoolId,
        userIds: [current.proposedBy],
        event: 'action.confirmed',
        urgency: 'normal',
        title: `Your proposed ${updated.kind} was confirmed`,
        body: `${ctx.actor.label} confirmed the ${updated.kind} on ${subject.label.replace(/^\w+ on /, '')}.`,
        link: `/actions/${updated.id}`,
        subject: { type: 'action', id: updated.id },
      });
    }
    return { expired: false as const, action: updated, platform: account.platform };
  });
  if (outcome.expired) {
    // Commit the expiry on its own, so the refusal leaves the record straight.
    await expireAction(ctx, outcome.action.id);
    throw preconditionFailed('This proposal has expired; propose the action again', { status: 'expired' });
  }
  if (outcome.action.status === 'queued') await dispatchAll(dispatch, [outcome.action.id]);
  return {
    action: describeAction(outcome.action),
    outcome: describeOutcome(outcome.action, { id: outcome.action.accountId, platform: outcome.platform }),
  };
}
