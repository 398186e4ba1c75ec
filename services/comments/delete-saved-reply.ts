import { eq } from 'drizzle-orm';
import { savedReplies } from '../../db/schema/index.js';
import { emitAudit } from '../audit/emit-audit.js';
import { assertRole } from '../core/authorization.js';
import type { ServiceContext } from '../core/service-context.js';
import { withTransaction } from '../core/with-transaction.js';
import { loadSavedReply } from './load-saved-reply.js';
import { SAVED_REPLY_EDITORS } from './saved-reply-rules.js';

/** Removes a saved reply (comms or a senior leader of its school); the audit entry keeps its text. */
export async function deleteSavedReply(
  ctx: ServiceContext,
  id: string,
): Promise<{ id: string; deleted: true }> {
  return withTransaction(ctx, async (tx) => {
    const reply = await loadSavedReply(ctx, tx, id);
    assertRole(ctx, reply.schoolId, SAVED_REPLY_EDITORS, 'edit saved replies');
    await tx.delete(savedReplies).where(eq(savedReplies.id, id));
    await emitAudit(tx, ctx, {
      action: 'saved_reply.deleted',
      schoolId: reply.schoolId,
      subject: { type: 'saved_reply', id, label: `Saved reply "${reply.title}"` },
      details: { title: reply.title, body: reply.body },
    });
    return { id, deleted: true as const };
  });
}
