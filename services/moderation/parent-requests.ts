import { and, asc, eq, inArray } from 'drizzle-orm';
import { z } from 'zod';
import {
  comments,
  type ParentRequestState,
  parentRequests,
  type SocialAccount,
  socialAccounts,
  users,
} from '../../db/schema/index.js';
import { accountLabel } from '../accounts/account-label.js';
import { emitAudit } from '../audit/emit-audit.js';
import { commentLabel } from '../comments/comment-label.js';
import { systemActor } from '../core/actor.js';
import { requireUserId } from '../core/authorization.js';
import { queryable, type ServiceContext } from '../core/service-context.js';
import { conflict, invalidInputFrom, notFound } from '../core/service-error.js';
import { withTransaction } from '../core/with-transaction.js';
import { notifyUsers } from '../notifications/notify-users.js';
import type { PlatformAdapter } from '../platforms/adapter.js';
import { platformProfile } from '../platforms/platform-profiles.js';
import { escalateComment } from './escalate-comment.js';

export interface ParentRequestItem {
  id: string;
  schoolId: string;
  commentId: string;
  account: string;
  authorHandle: string;
  authorName: string;
  platform: string;
  contact: 'public' | 'private';
  state: ParentRequestState;
  requestedAt: Date;
  requestedBy: string;
  resolvedAt: Date | null;
  checkedAt: Date | null;
  /** whether the platform is asked on each poll if the comment is gone */
  readBack: boolean;
}

/**
 * P9's tracking list: every parent asked to remove a comment at the caller's schools, those still
 * awaiting first (oldest first), then the resolved ones.
 */
export async function listParentRequests(ctx: ServiceContext): Promise<ParentRequestItem[]> {
  if (ctx.schoolIds !== null && ctx.schoolIds.length === 0) return [];
  const db = queryable(ctx);
  const rows = await db
    .select({ r: parentRequests, c: comments, a: socialAccounts, by: users.displayName })
    .from(parentRequests)
    .innerJoin(comments, eq(comments.id, parentRequests.commentId))
    .innerJoin(socialAccounts, eq(socialAccounts.id, parentRequests.accountId))
    .innerJoin(users, eq(users.id, parentRequests.requestedBy))
    .where(ctx.schoolIds === null ? undefined : inArray(parentRequests.schoolId, [...ctx.schoolIds]))
    .orderBy(asc(parentRequests.requestedAt))
    .limit(500);
  const items = rows.map(({ r, c, a, by }) => ({
    id: r.id,
    schoolId: r.schoolId,
    commentId: c.id,
    account: accountLabel(a),
    authorHandle: c.redactedAt ? '' : c.authorHandle,
    authorName: c.redactedAt ? '' : c.authorName,
    platform: a.platform,
    contact: r.contact,
    state: r.state,
    requestedAt: r.requestedAt,
    requestedBy: by,
    resolvedAt: r.resolvedAt,
    checkedAt: r.checkedAt,
    readBack: canReadBack(a),
  }));
  return [...items.filter((i) => i.state === 'awaiting'), ...items.filter((i) => i.state !== 'awaiting')];
}

function canReadBack(account: Pick<SocialAccount, 'platform'>): boolean {
  return platformProfile(account.platform).readsRemoval;
}

export const escalateParentRequestInput = z.object({
  reason: z.string({ error: 'say why' }).trim().min(3, 'say why it is escalated').max(4_000),
});

/**
 * The parent did not remove it (or the conversation went badly): the request is escalated to the
 * senior leaders as unacceptable conduct (P7's path), and leaves the tracking list.
 */
export async function escalateParentRequest(
  ctx: ServiceContext,
  requestId: string,
  raw: unknown,
): Promise<{ escalationId: string }> {
  const parsed = escalateParentRequestInput.safeParse(raw);
  if (!parsed.success) throw invalidInputFrom(parsed.error);
  return withTransaction(ctx, async (tx, txCtx) => {
    const [row] = await tx
      .select()
      .from(parentRequests)
      .where(eq(parentRequests.id, requestId))
      .for('update');
    if (!row || (ctx.schoolIds !== null && !ctx.schoolIds.includes(row.schoolId)))
      throw notFound('That parent request');
    if (row.state !== 'awaiting') throw conflict(`This request is already ${row.state}`);
    const { escalation } = await escalateComment(txCtx, {
      commentId: row.commentId,
      kind: 'senior_leader',
      reason: `A parent asked to remove their comment (P9) has not: ${parsed.data.reason}`,
    });
    await tx
      .update(parentRequests)
      .set({
        state: 'escalated',
        resolvedAt: new Date(),
        resolvedBy: requireUserId(ctx),
        escalationId: escalation.id,
      })
      .where(and(eq(parentRequests.id, row.id), eq(parentRequests.state, 'awaiting')));
    const [c] = await tx
      .select({ c: comments, a: socialAccounts })
      .from(comments)
      .innerJoin(socialAccounts, eq(socialAccounts.id, comments.accountId))
      .where(eq(comments.id, row.commentId));
    await emitAudit(tx, ctx, {
      action: 'comment.parent_escalated',
      schoolId: row.schoolId,
      subject: { type: 'comment', id: row.commentId, label: commentLabel(c!.c, c!.a) },
      details: { requestId: row.id, escalationId: escalation.id, reason: parsed.data.reason },
    });
    return { escalationId: escalation.id };
  });
}

/** How many awaiting requests one poll asks the platform about. */
const READ_BACK_LIMIT = 20;

/**
 * On each poll of an account: asks the platform whether each comment a parent was asked to remove
 * is gone. Gone → the request is `removed` (audited, the asker told). A platform error leaves the
 * request awaiting for the next poll; it never fails the poll.
 */
export async function readBackParentRequests(
  ctx: ServiceContext,
  account: SocialAccount,
  adapter: Pick<PlatformAdapter, 'commentGone'>,
): Promise<{ checked: number; removed: number }> {
  if (!adapter.commentGone) return { checked: 0, removed: 0 };
  const awaiting = await ctx.db
    .select({ r: parentRequests, c: comments })
    .from(parentRequests)
    .innerJoin(comments, eq(comments.id, parentRequests.commentId))
    .where(and(eq(parentRequests.accountId, account.id), eq(parentRequests.state, 'awaiting')))
    .orderBy(asc(parentRequests.checkedAt))
    .limit(READ_BACK_LIMIT);
  let checked = 0;
  let removed = 0;
  for (const { r, c } of awaiting) {
    let gone: boolean;
    try {
      gone = await adapter.commentGone(c.externalId);
    } catch {
      continue;
    }
    checked += 1;
    const system = { ...ctx, actor: systemActor('parent-request-read-back'), schoolIds: null };
    await withTransaction(system, async (tx) => {
      const now = new Date();
      if (!gone) {
        await tx.update(parentRequests).set({ checkedAt: now }).where(eq(parentRequests.id, r.id));
        return;
      }
      const done = await tx
        .update(parentRequests)
        .set({ state: 'removed', checkedAt: now, resolvedAt: now })
        .where(and(eq(parentRequests.id, r.id), eq(parentRequests.state, 'awaiting')))
        .returning({ id: parentRequests.id });
      if (done.length === 0) return;
      removed += 1;
      const label = commentLabel(c, account);
      await emitAudit(tx, system, {
        action: 'comment.parent_removed',
        schoolId: r.schoolId,
        subject: { type: 'comment', id: c.id, label },
        details: { requestId: r.id, platform: platformProfile(account.platform).displayName },
      });
      await notifyUsers(tx, {
        schoolId: r.schoolId,
        userIds: [r.requestedBy],
        event: 'parent_request.removed',
        urgency: 'normal',
        title: 'A parent removed their comment',
        body: `${label} is gone from ${platformProfile(account.platform).displayName}: the parent removed it after being asked.`,
        link: '/parent-requests',
        subject: { type: 'comment', id: c.id },
      });
    });
  }
  return { checked, removed };
}
