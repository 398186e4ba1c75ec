import { and, eq, inArray, isNotNull, sql } from 'drizzle-orm';
import type { Transaction } from '../../db/client.js';
import {
  comments,
  type ModerationAction,
  moderationActions,
  type SocialAccount,
} from '../../db/schema/index.js';
import { emitAudit } from '../audit/emit-audit.js';
import { commentLabel } from '../comments/comment-label.js';
import type { ServiceContext } from '../core/service-context.js';
import { platformProfile } from '../platforms/platform-profiles.js';
import { actionSubject } from './action-access.js';
import { actionMode, CLOSES_COMMENT } from './action-rules.js';

const HELD_ENDS: ReadonlySet<ModerationAction['kind']> = new Set(['hide', 'unhide', 'delete']);

/**
 * What follows a succeeded action, in its transaction: a hide or delete closes the comment and is
 * its response (P2: moderation that handles a comment answers it, so it is not a breach once the
 * deadline passes; a first response already recorded keeps its time), and the notice approved with the action becomes its
 * own queued action, posted only now that the action has succeeded (P3). Returns the ids to enqueue.
 */
export async function followSucceededAction(
  tx: Transaction,
  ctx: Pick<ServiceContext, 'actor' | 'requestId'>,
  action: ModerationAction,
  account: SocialAccount,
): Promise<string[]> {
  if (!action.commentId) return [];
  const now = new Date();
  // A comment the platform held back is held no longer once it is hidden, published or removed.
  if (HELD_ENDS.has(action.kind)) {
    await tx
      .update(comments)
      .set({ heldByPlatformAt: null })
      .where(and(eq(comments.id, action.commentId), isNotNull(comments.heldByPlatformAt)));
  }
  if (CLOSES_COMMENT.has(action.kind)) {
    const [closed] = await tx
      .update(comments)
      .set({
        status: 'closed',
        firstResponseAt: sql`coalesce(${comments.firstResponseAt}, ${now.toISOString()}::timestamptz)`,
        resolvedAt: sql`coalesce(${comments.resolvedAt}, ${now.toISOString()}::timestamptz)`,
        answeredAt: sql`coalesce(${comments.answeredAt}, ${now.toISOString()}::timestamptz)`,
      })
      .where(and(eq(comments.id, action.commentId), inArray(comments.status, ['open', 'responded'])))
      .returning();
    if (closed) {
      await emitAudit(tx, ctx, {
        action: 'comment.closed',
        schoolId: closed.schoolId,
        subject: { type: 'comment', id: closed.id, label: commentLabel(closed, account) },
        details: {
          reason: `moderated: ${action.kind}`,
          actionId: action.id,
          reasonCategory: action.reasonCategory,
        },
      });
    }
  }
  if (action.kind === 'notice' || !action.noticeText) return [];
  // Posted before the action on a platform that refuses a reply to a hidden comment (execute-action.ts).
  if (CLOSES_COMMENT.has(action.kind) && platformProfile(account.platform).noticeOrder === 'notice-first')
    return [];
  const mode = actionMode(account.platform, 'notice');
  const [notice] = await tx
    .insert(moderationActions)
    .values({
      schoolId: action.schoolId,
      accountId: action.accountId,
      commentId: action.commentId,
      kind: 'notice',
      mode,
      status: mode === 'platform' ? 'queued' : 'approved',
      reasonCategory: action.reasonCategory,
      reasonText: `Notice approved with ${action.kind} ${action.id}`,
      noticeText: action.noticeText,
      proposedBy: action.proposedBy,
      system: action.system,
      confirmedBy: action.confirmedBy,
    })
    .returning();
  const created = notice!;
  const subject = actionSubject(created, account);
  await emitAudit(tx, ctx, [
    {
      action: 'action.approved',
      schoolId: created.schoolId,
      subject,
      details: { approvedWith: action.id, hasNotice: created.noticeText !== null },
      ...(created.noticeText !== null ? { personal: { notice: created.noticeText } } : {}),
    },
    ...(created.status === 'queued'
      ? [{ action: 'action.queued' as const, schoolId: created.schoolId, subject, details: { attempt: 1 } }]
      : []),
  ]);
  return created.status === 'queued' ? [created.id] : [];
}
