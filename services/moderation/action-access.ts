import { and, eq, inArray } from 'drizzle-orm';
import type { Queryable, Transaction } from '../../db/client.js';
import {
  type ActionStatus,
  type Comment,
  comments,
  type ModerationAction,
  moderationActions,
  type SocialAccount,
  socialAccounts,
} from '../../db/schema/index.js';
import { accountLabel } from '../accounts/account-label.js';
import { assertAccountAdmin, assertInScope } from '../core/authorization.js';
import { hasRole } from '../core/principal.js';
import type { ServiceContext } from '../core/service-context.js';
import { conflict, forbidden, notFound } from '../core/service-error.js';

/** How verbs hand an approved action to the execute job after commit (the API's or a worker's queues). */
export interface ActionDispatch {
  enqueue(actionId: string): Promise<void>;
}

/** Enqueueing after commit may fail (Redis down): the row is queued, so the relay redoes it. */
export async function dispatchAll(
  dispatch: ActionDispatch | undefined,
  ids: readonly string[],
): Promise<void> {
  if (!dispatch) return;
  for (const id of ids) await dispatch.enqueue(id).catch(() => {});
}

/** A comment the caller may see, with its account. Another school's answers NOT_FOUND. */
export async function loadCommentWithAccount(
  ctx: ServiceContext,
  db: Queryable,
  commentId: string,
): Promise<{ comment: Comment; account: SocialAccount }> {
  const [row] = await db
    .select({ comment: comments, account: socialAccounts })
    .from(comments)
    .innerJoin(socialAccounts, eq(socialAccounts.id, comments.accountId))
    .where(eq(comments.id, commentId));
  if (!row) throw notFound('That comment');
  assertInScope(ctx, row.comment.schoolId, 'That comment');
  return row;
}

/** An action the caller may see; `forUpdate` locks it until the transaction ends. */
export async function loadAction(
  ctx: ServiceContext,
  db: Queryable,
  actionId: string,
  options: { forUpdate?: boolean } = {},
): Promise<ModerationAction> {
  const query = db.select().from(moderationActions).where(eq(moderationActions.id, actionId));
  const [action] = options.forUpdate ? await query.for('update') : await query;
  if (!action) throw notFound('That action');
  assertInScope(ctx, action.schoolId, 'That action');
  return action;
}

/**
 * The start every admin step on an existing action shares (retry, record by hand, confirm): the
 * action, locked for the change, on an account this person administers (`doing` finishes the
 * refusal: "You are not an admin of this account; you cannot <doing>"). A break-glass
 * confirmation is a senior leader of the action's school instead.
 */
export async function loadOwnAction(
  ctx: ServiceContext,
  tx: Transaction,
  actionId: string,
  doing: string,
  options: { breakGlass?: boolean } = {},
): Promise<ModerationAction> {
  const action = await loadAction(ctx, tx, actionId, { forUpdate: true });
  if (options.breakGlass) {
    if (!ctx.principal || !hasRole(ctx.principal, action.schoolId, ['senior_leader']))
      throw forbidden('Only a senior leader may confirm in place of the second admin');
  } else {
    assertAccountAdmin(ctx, action.accountId, doing);
  }
  return action;
}

export async function loadAccountOf(db: Queryable, action: ModerationAction): Promise<SocialAccount> {
  const [account] = await db.select().from(socialAccounts).where(eq(socialAccounts.id, action.accountId));
  if (!account) throw notFound('That account');
  return account;
}

/**
 * The one way an action changes status: `UPDATE … WHERE id = $1 AND status IN (…) RETURNING *`.
 * No row back means another request or job moved it first.
 */
export async function transitionAction(
  tx: Transaction | Queryable,
  action: Pick<ModerationAction, 'id' | 'kind' | 'status'>,
  from: readonly ActionStatus[],
  set: Partial<typeof moderationActions.$inferInsert>,
): Promise<ModerationAction> {
  const [updated] = await tx
    .update(moderationActions)
    .set({ ...set, updatedAt: new Date() })
    .where(and(eq(moderationActions.id, action.id), inArray(moderationActions.status, [...from])))
    .returning();
  if (!updated) {
    throw conflict(
      `This ${action.kind} is ${action.status}; only a ${from.join(' or ')} action can be changed so`,
      {
        status: action.status,
      },
    );
  }
  return updated;
}

/** The audit subject: readable after the comment is gone ("hide of a reply to @oakfield on X"). */
export function actionSubject(
  action: Pick<ModerationAction, 'id' | 'kind'>,
  account: Pick<SocialAccount, 'handle' | 'platform'>,
) {
  return { type: 'action', id: action.id, label: `${action.kind} on ${accountLabel(account)}` };
}

/** What an API caller sees of an action. */
export function describeAction(action: ModerationAction) {
  return {
    id: action.id,
    commentId: action.commentId,
    accountId: action.accountId,
    kind: action.kind,
    mode: action.mode,
    status: action.status,
    reasonCategory: action.reasonCategory,
    reasonText: action.reasonText,
    noticeText: action.noticeText,
    evidenceUrl: action.evidenceUrl,
    proposedBy: action.proposedBy,
    confirmedBy: action.confirmedBy,
    breakGlass: action.breakGlassReason !== null,
    expiresAt: action.expiresAt?.toISOString() ?? null,
    attempts: action.attempts,
    platformResult: action.platformResult ?? null,
    error: action.error,
    createdAt: action.createdAt.toISOString(),
    completedAt: action.completedAt?.toISOString() ?? null,
  };
}
export type ActionView = ReturnType<typeof describeAction>;
