import { and, asc, eq, inArray, isNotNull } from 'drizzle-orm';
import { comments, type SocialAccount } from '../../db/schema/index.js';
import { emitAudit } from '../audit/emit-audit.js';
import { commentLabel } from '../comments/comment-label.js';
import { systemActor } from '../core/actor.js';
import type { ServiceContext } from '../core/service-context.js';
import { withTransaction } from '../core/with-transaction.js';
import type { PlatformAdapter } from '../platforms/adapter.js';
import { platformProfile } from '../platforms/platform-profiles.js';

/** One platform call reads this many held comments (YouTube's comments.list takes 50 ids). */
const READ_BACK_LIMIT = 50;

/**
 * A comment that arrived held by its platform (YouTube) stays held until someone publishes or
 * rejects it, here or in the platform's own app; each poll reads the held ones back, in one call,
 * and clears the state of those the platform no longer holds. Nothing held: no call.
 */
export async function readBackHeld(
  ctx: ServiceContext,
  account: SocialAccount,
  adapter: Pick<PlatformAdapter, 'heldStates'>,
): Promise<{ checked: number; released: number }> {
  if (!adapter.heldStates) return { checked: 0, released: 0 };
  const held = await ctx.db
    .select()
    .from(comments)
    .where(and(eq(comments.accountId, account.id), isNotNull(comments.heldByPlatformAt)))
    .orderBy(asc(comments.heldByPlatformAt))
    .limit(READ_BACK_LIMIT);
  if (held.length === 0) return { checked: 0, released: 0 };
  const states = await adapter.heldStates(held.map((c) => c.externalId));
  const released = held.filter((c) => {
    const state = states.get(c.externalId);
    return state !== undefined && state !== 'held';
  });
  if (released.length === 0) return { checked: held.length, released: 0 };
  const system = { ...ctx, actor: systemActor('held-read-back'), schoolIds: null };
  const platform = platformProfile(account.platform).displayName;
  const count = await withTransaction(system, async (tx) => {
    const rows = await tx
      .update(comments)
      .set({ heldByPlatformAt: null })
      .where(
        and(
          inArray(
            comments.id,
            released.map((c) => c.id),
          ),
          isNotNull(comments.heldByPlatformAt),
        ),
      )
      .returning();
    for (const c of rows) {
      await emitAudit(tx, system, {
        action: 'comment.held_released',
        schoolId: c.schoolId,
        subject: { type: 'comment', id: c.id, label: commentLabel(c, account) },
        details: { platform, state: states.get(c.externalId) ?? 'published' },
      });
    }
    return rows.length;
  });
  return { checked: held.length, released: count };
}
