import { hasRole } from '../core/principal.js';
import type { ServiceContext } from '../core/service-context.js';
import { forbidden } from '../core/service-error.js';
import { type ActionView, describeAction, loadAccountOf, loadAction } from './action-access.js';
import { type ActionOutcome, describeOutcome } from './action-outcome.js';

/** An action as its account's admins, the school's senior leaders and auditors see it. */
export async function getAction(
  ctx: ServiceContext,
  input: { actionId: string },
): Promise<{ action: ActionView; outcome: ActionOutcome }> {
  const action = await loadAction(ctx, ctx.db, input.actionId);
  const p = ctx.principal;
  if (
    ctx.actor.type !== 'system' &&
    !(
      p?.adminOfAccounts.has(action.accountId) ||
      (p && hasRole(p, action.schoolId, ['senior_leader', 'auditor', 'comms']))
    )
  ) {
    throw forbidden('You may not see this action');
  }
  const account = await loadAccountOf(ctx.db, action);
  return { action: describeAction(action), outcome: describeOutcome(action, account) };
}
