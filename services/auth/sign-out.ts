import { emitAudit } from '../audit/emit-audit.js';
import type { ServiceContext } from '../core/service-context.js';
import { withTransaction } from '../core/with-transaction.js';
import { destroySession } from './session-store.js';

/** Ends the caller's session; any copy of its cookie is dead from now on. */
export async function signOut(
  ctx: ServiceContext,
  input: { sessionId: string },
): Promise<{ signedOut: true }> {
  await withTransaction(ctx, async (tx) => {
    await destroySession(tx, input.sessionId);
    if (ctx.actor.type !== 'user') return;
    await emitAudit(tx, ctx, {
      action: 'user.signed_out',
      schoolId: null,
      subject: { type: 'user', id: ctx.actor.id, label: ctx.actor.label },
    });
  });
  return { signedOut: true };
}
