import { eq } from 'drizzle-orm';
import { savedReplies } from '../../db/schema/index.js';
import { emitAudit } from '../audit/emit-audit.js';
import { assertRole, requireUserId } from '../core/authorization.js';
import type { ServiceContext } from '../core/service-context.js';
import { withTransaction } from '../core/with-transaction.js';
import { loadSavedReply } from './load-saved-reply.js';
import { parseSavedReply, SAVED_REPLY_EDITORS, type SavedReplyView } from './saved-reply-rules.js';

/** Rewrites a saved reply (comms or a senior leader of its school), audited before and after. */
export async function updateSavedReply(
  ctx: ServiceContext,
  id: string,
  raw: unknown,
): Promise<SavedReplyView> {
  return withTransaction(ctx, async (tx) => {
    const before = await loadSavedReply(ctx, tx, id);
    assertRole(ctx, before.schoolId, SAVED_REPLY_EDITORS, 'edit saved replies');
    const input = parseSavedReply(raw);
    const [saved] = await tx
      .update(savedReplies)
      .set({ title: input.title, body: input.body, updatedBy: requireUserId(ctx), updatedAt: new Date() })
      .where(eq(savedReplies.id, id))
      .returning();
    if (!saved) throw new Error('update of saved_replies returned no row');
    await emitAudit(tx, ctx, {
      action: 'saved_reply.updated',
      schoolId: saved.schoolId,
      subject: { type: 'saved_reply', id, label: `Saved reply "${saved.title}"` },
      details: {
        before: { title: before.title, body: before.body },
        after: { title: saved.title, body: saved.body },
      },
    });
    return { id, schoolId: saved.schoolId, title: saved.title, body: saved.body, updatedAt: saved.updatedAt };
  });
}
