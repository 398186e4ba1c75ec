import { eq } from 'drizzle-orm';
import type { Queryable, Transaction } from '../../../db/client.js';
import {
  type ClassifierCorrection,
  type Comment,
  classifierCorrections,
  comments,
  type SocialAccount,
  type StoredLabel,
} from '../../../db/schema/index.js';
import { assertInScope, assertRole } from '../../core/authorization.js';
import type { ServiceContext } from '../../core/service-context.js';
import { notFound } from '../../core/service-error.js';
import { createProcessingBatch } from '../../ingestion/processing-pipeline.js';
import { loadCommentWithAccount } from '../../moderation/action-access.js';
import { routingStep } from '../routing-step.js';
import { CORRECTORS } from './correction-roles.js';

export { CORRECTION_REVIEWERS, CORRECTORS, QUALITY_REPORT_READERS } from './correction-roles.js';

import type { Label } from '../types.js';

/** Labels that staff gave by hand carry this source; everything else came from the classifier. */
export const STAFF_SOURCE = 'staff';

/** The comment and its account, locked, after the scope (404) and role (403) checks. */
export async function loadCommentToCorrect(
  ctx: ServiceContext,
  tx: Transaction,
  commentId: string,
): Promise<{ comment: Comment; account: SocialAccount }> {
  const found = await loadCommentWithAccount(ctx, tx, commentId);
  assertRole(ctx, found.comment.schoolId, CORRECTORS, 'correct the classifier');
  const [locked] = await tx.select().from(comments).where(eq(comments.id, commentId)).for('update');
  return { comment: locked ?? found.comment, account: found.account };
}

/** Writes a comment's new labels and the inbox's denormalised categories. */
export async function saveLabels(tx: Transaction, commentId: string, labels: StoredLabel[]): Promise<void> {
  await tx
    .update(comments)
    .set({ labels, categories: [...new Set(labels.map((l) => l.category))] })
    .where(eq(comments.id, commentId));
}

/**
 * Sends `added` labels where the policy says, through the same routing step a classified comment
 * goes through (notifications, escalations and their audit entries in this transaction). A label a
 * person gave never hides the comment by itself: the account's auto-hide is off for this pass.
 * Returns the work to run after commit.
 */
export async function routeAddedLabels(
  tx: Transaction,
  ctx: ServiceContext,
  comment: Comment,
  account: SocialAccount,
  added: Label[],
): Promise<() => Promise<void>> {
  const batch = createProcessingBatch();
  const noAutoHide = { ...account, settings: { ...account.settings, autoHide: false } };
  await batch.memo(`account:${account.id}`, async () => noAutoHide);
  const afterCommit: (() => Promise<unknown>)[] = [];
  await routingStep().run(tx, ctx, {
    comment,
    updates: { labels: added },
    afterCommit,
    batch,
  });
  return async () => {
    for (const work of afterCommit) await work().catch(() => {});
    await batch.flushAfterCommit().catch(() => {});
  };
}

/** A correction the caller may see (another school's answers 404), optionally locked. */
export async function loadCorrection(
  ctx: ServiceContext,
  db: Queryable,
  schoolId: string,
  correctionId: string,
  options: { forUpdate?: boolean } = {},
): Promise<ClassifierCorrection> {
  assertInScope(ctx, schoolId, 'That correction');
  const query = db.select().from(classifierCorrections).where(eq(classifierCorrections.id, correctionId));
  const [row] = options.forUpdate ? await query.for('update') : await query;
  if (!row || row.schoolId !== schoolId) throw notFound('That correction');
  return row;
}

export const words = (s: string) => s.replaceAll('_', ' ');
