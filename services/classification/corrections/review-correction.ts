import { and, eq } from 'drizzle-orm';
import { z } from 'zod';
import { type CorrectionReviewStatus, classifierCorrections, comments } from '../../../db/schema/index.js';
import { emitAudit } from '../../audit/emit-audit.js';
import { requireUserId } from '../../core/authorization.js';
import type { ServiceContext } from '../../core/service-context.js';
import { conflict, invalidInput, invalidInputFrom, preconditionFailed } from '../../core/service-error.js';
import { withTransaction } from '../../core/with-transaction.js';
import { addSchoolTerm } from '../add-school-term.js';
import { loadSchoolFor } from '../school-lexicon-access.js';
import { CORRECTION_REVIEWERS, loadCorrection, words } from './correction-access.js';

const note = z.string().trim().max(2_000, 'a note is at most 2,000 characters').default('');

export const reviewCorrectionInput = z.discriminatedUnion(
  'outcome',
  [
    /** A miss becomes a school term (a word or a phrase) in the correction's category. */
    z.object({
      outcome: z.literal('term'),
      term: z.string(),
      severity: z.enum(['low', 'medium', 'high']).default('medium'),
      subcategory: z.string().optional(),
      note,
    }),
    /** An overturned flag becomes an allow-list entry: the harmless word is not flagged again. */
    z.object({ outcome: z.literal('allow'), term: z.string(), note }),
    /** Either becomes a labelled example for the next training run. */
    z.object({ outcome: z.literal('example'), note }),
    z.object({ outcome: z.literal('dismiss'), note }),
  ],
  { error: 'choose an outcome: term, allow, example or dismiss' },
);
export type ReviewCorrectionInput = z.input<typeof reviewCorrectionInput>;

const STATUS: Record<ReviewCorrectionInput['outcome'], CorrectionReviewStatus> = {
  term: 'term_added',
  allow: 'allow_added',
  example: 'example',
  dismiss: 'dismissed',
};

/**
 * A trust admin decides what a staff correction teaches: a school term or phrase (through the
 * school's lexicon, so the classifier recompiles at its next comment), an allow-list entry, an
 * example for the next training run (exported in the corpus format), or nothing. Once only: a
 * correction already reviewed answers CONFLICT.
 */
export async function reviewCorrection(
  ctx: ServiceContext,
  schoolId: string,
  correctionId: string,
  raw: unknown,
): Promise<{
  id: string;
  reviewStatus: CorrectionReviewStatus;
  lexiconEntryId: string | null;
  exampleExpect: string[] | null;
}> {
  const parsed = reviewCorrectionInput.safeParse(raw);
  if (!parsed.success) throw invalidInputFrom(parsed.error);
  const input = parsed.data;
  const userId = requireUserId(ctx);
  return withTransaction(ctx, async (tx, txCtx) => {
    const school = await loadSchoolFor(txCtx, tx, schoolId, CORRECTION_REVIEWERS, 'review corrections');
    const correction = await loadCorrection(txCtx, tx, schoolId, correctionId, { forUpdate: true });
    if (correction.reviewStatus !== 'pending') {
      throw conflict(`That correction was already reviewed (${words(correction.reviewStatus)})`);
    }
    if (input.outcome === 'term' && correction.kind !== 'missed') {
      throw invalidInput(
        'Only a missed flag becomes a school term; an overturned one becomes an allow-list entry',
      );
    }
    if (input.outcome === 'allow' && correction.kind !== 'overturned') {
      throw invalidInput('Only an overturned flag becomes an allow-list entry; a missed one becomes a term');
    }
    let lexiconEntryId: string | null = null;
    if (input.outcome === 'term' || input.outcome === 'allow') {
      const entry = await addSchoolTerm(
        txCtx,
        schoolId,
        input.outcome === 'term'
          ? {
              kind: 'term',
              term: input.term,
              category: correction.category,
              severity: input.severity,
              subcategory: input.subcategory?.trim() || 'staff_correction',
            }
          : { kind: 'allow', term: input.term },
      );
      lexiconEntryId = entry.id;
    }
    let exampleExpect: string[] | null = null;
    if (input.outcome === 'example') {
      const [comment] = await tx
        .select({ redactedAt: comments.redactedAt })
        .from(comments)
        .where(eq(comments.id, correction.commentId));
      if (comment?.redactedAt) {
        throw preconditionFailed(
          'That comment was redacted under the retention policy: its text cannot be an example',
        );
      }
      const before = new Set(correction.labelsBefore.map((l) => l.category));
      if (correction.kind === 'overturned') before.delete(correction.category);
      else before.add(correction.category);
      exampleExpect = [...before].sort();
    }
    const status = STATUS[input.outcome];
    const [updated] = await tx
      .update(classifierCorrections)
      .set({
        reviewStatus: status,
        reviewedBy: userId,
        reviewedAt: new Date(),
        reviewNote: input.note || null,
        lexiconEntryId,
        exampleExpect,
      })
      .where(
        and(eq(classifierCorrections.id, correction.id), eq(classifierCorrections.reviewStatus, 'pending')),
      )
      .returning({ id: classifierCorrections.id });
    if (!updated) throw conflict('That correction was already reviewed');
    await emitAudit(tx, txCtx, {
      action: 'correction.reviewed',
      schoolId,
      subject: {
        type: 'correction',
        id: correction.id,
        label: `${words(correction.kind)} ${words(correction.category)} flag at ${school.name}`,
      },
      details: {
        outcome: status,
        commentId: correction.commentId,
        correction: correction.kind,
        category: correction.category,
        ...(input.outcome === 'term' || input.outcome === 'allow'
          ? { term: input.term, lexiconEntryId }
          : {}),
        ...(exampleExpect ? { expect: exampleExpect } : {}),
        note: input.note,
      },
    });
    return { id: correction.id, reviewStatus: status, lexiconEntryId, exampleExpect };
  });
}
