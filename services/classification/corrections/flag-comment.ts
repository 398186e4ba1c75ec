import { z } from 'zod';
import { classifierCorrections } from '../../../db/schema/index.js';
import { emitAudit } from '../../audit/emit-audit.js';
import { commentLabel } from '../../comments/comment-label.js';
import { requireUserId } from '../../core/authorization.js';
import type { ServiceContext } from '../../core/service-context.js';
import { invalidInputFrom, preconditionFailed } from '../../core/service-error.js';
import { withTransaction } from '../../core/with-transaction.js';
import { SCHOOL_TERM_CATEGORIES } from '../add-school-term.js';
import { routesFor } from '../routes-for.js';
import type { Label, Severity } from '../types.js';
import { loadCommentToCorrect, routeAddedLabels, STAFF_SOURCE, saveLabels } from './correction-access.js';

export const flagCommentInput = z.object({
  category: z.enum(SCHOOL_TERM_CATEGORIES, {
    error: `choose a category: ${SCHOOL_TERM_CATEGORIES.map((c) => c.replaceAll('_', ' ')).join(', ')}`,
  }),
  /** e.g. "disclosure", "threat"; defaults to "staff_flag". */
  subcategory: z
    .string()
    .trim()
    .regex(/^[a-z][a-z_]{1,39}$/, 'a subcategory is lower-case letters and underscores')
    .optional(),
  note: z.string().trim().max(2_000, 'a note is at most 2,000 characters').default(''),
});
export type FlagCommentInput = z.input<typeof flagCommentInput>;

export interface CorrectionResult {
  correctionId: string;
  kind: 'missed' | 'confirmed' | 'overturned';
  category: string;
  /** The categories the comment carries now. */
  categories: string[];
  /** Where the correction sent the comment (empty when nothing new was routed). */
  routes: string[];
}

/**
 * "Flag this": a member of staff says a comment belongs in a category. If the classifier had not
 * sent it there, that is a miss: the comment gets a staff label and is routed at once exactly as a
 * classified one would be (safeguarding to the leads, offensive to the account's admins, media to
 * senior leaders). If it had, the flag is confirmed. Either way it is audited and recorded for the
 * school's review list and quality report.
 */
export async function flagComment(
  ctx: ServiceContext,
  commentId: string,
  raw: unknown,
): Promise<CorrectionResult> {
  const parsed = flagCommentInput.safeParse(raw);
  if (!parsed.success) throw invalidInputFrom(parsed.error);
  const input = parsed.data;
  const userId = requireUserId(ctx);
  let afterCommit: (() => Promise<void>) | null = null;
  const result = await withTransaction(ctx, async (tx, txCtx) => {
    const { comment, account } = await loadCommentToCorrect(txCtx, tx, commentId);
    if (comment.redactedAt) throw preconditionFailed('That comment was redacted under the retention policy');
    const before = comment.labels as Label[];
    const severity: Severity =
      input.category === 'safeguarding'
        ? 'high'
        : input.category === 'offensive'
          ? account.settings.offensiveThreshold
          : 'medium';
    const staffLabel: Label = {
      category: input.category,
      subcategory: input.subcategory ?? 'staff_flag',
      severity,
      spans: [],
      source: STAFF_SOURCE,
      // A member of staff said so.
      confidence: 1,
    };
    const settings = { ...account.settings, autoHide: false };
    const routedBefore = new Set(routesFor({ labels: before, classifierVersion: '' }, settings));
    const newRoutes = routesFor({ labels: [...before, staffLabel], classifierVersion: '' }, settings).filter(
      (r) => !routedBefore.has(r),
    );
    const had = before.some((l) => l.category === input.category);
    const kind = had && newRoutes.length === 0 ? 'confirmed' : 'missed';
    let labels = before;
    if (kind === 'missed') {
      labels = [...before, staffLabel];
      await saveLabels(tx, comment.id, labels);
    }
    const [row] = await tx
      .insert(classifierCorrections)
      .values({
        schoolId: comment.schoolId,
        commentId: comment.id,
        kind,
        category: input.category,
        subcategory: staffLabel.subcategory,
        note: input.note,
        labelsBefore: before,
        classifierVersion: comment.classifierVersion,
        correctedBy: userId,
        // A confirmation teaches nothing new: it counts in the report and needs no review.
        reviewStatus: kind === 'confirmed' ? 'not_needed' : 'pending',
      })
      .returning({ id: classifierCorrections.id });
    const correctionId = row!.id;
    await emitAudit(tx, txCtx, {
      action: 'comment.corrected',
      schoolId: comment.schoolId,
      subject: { type: 'comment', id: comment.id, label: commentLabel(comment, account) },
      details: {
        correctionId,
        correction: kind,
        category: input.category,
        subcategory: staffLabel.subcategory,
        categoriesBefore: [...new Set(before.map((l) => l.category))],
        categoriesAfter: [...new Set(labels.map((l) => l.category))],
        classifierVersion: comment.classifierVersion,
      },
      // Staff words about a member of the public: beside the chain, erased with the comment.
      ...(input.note ? { personal: { note: input.note } } : {}),
    });
    if (kind === 'missed') {
      afterCommit = await routeAddedLabels(tx, txCtx, comment, account, [staffLabel]);
    }
    return {
      correctionId,
      kind,
      category: input.category,
      categories: [...new Set(labels.map((l) => l.category))],
      routes: kind === 'missed' ? newRoutes : [],
    } satisfies CorrectionResult;
  });
  if (afterCommit) await (afterCommit as () => Promise<void>)();
  return result;
}
