import { count, eq, sql } from 'drizzle-orm';
import { savedReplies } from '../../db/schema/index.js';
import { emitAudit } from '../audit/emit-audit.js';
import { assertRole, requireUserId } from '../core/authorization.js';
import type { ServiceContext } from '../core/service-context.js';
import { conflict } from '../core/service-error.js';
import { withTransaction } from '../core/with-transaction.js';
import {
  MAX_SAVED_REPLIES,
  parseSavedReply,
  SAVED_REPLY_EDITORS,
  type SavedReplyView,
} from './saved-reply-rules.js';

/** Adds a saved reply to the school's list (comms or a senior leader), audited with its text. */
export async function createSavedReply(
  ctx: ServiceContext,
  schoolId: string,
  raw: unknown,
): Promise<SavedReplyView> {
  assertRole(ctx, schoolId, SAVED_REPLY_EDITORS, 'edit saved replies');
  const input = parseSavedReply(raw);
  return withTransaction(ctx, async (tx) => {
    // One writer at a time per school, so two additions cannot both pass the limit.
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`saved-replies:${schoolId}`}))`);
    const [row] = await tx
      .select({ n: count() })
      .from(savedReplies)
      .where(eq(savedReplies.schoolId, schoolId));
    if ((row?.n ?? 0) >= MAX_SAVED_REPLIES)
      throw conflict(`A school keeps at most ${MAX_SAVED_REPLIES} saved replies: delete one first`);
    const [saved] = await tx
      .insert(savedReplies)
      .values({ schoolId, title: input.title, body: input.body, updatedBy: requireUserId(ctx) })
      .returning();
    if (!saved) throw new Error('insert into saved_replies returned no row');
    await emitAudit(tx, ctx, {
      action: 'saved_reply.created',
      schoolId,
      subject: { type: 'saved_reply', id: saved.id, label: `Saved reply "${saved.title}"` },
      details: { title: saved.title, body: saved.body },
    });
    return { id: saved.id, schoolId, title: saved.title, body: saved.body, updatedAt: saved.updatedAt };
  });
}
