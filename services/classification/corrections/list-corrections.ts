import { aliasedTable, and, desc, eq, inArray } from 'drizzle-orm';
import { z } from 'zod';
import {
  CORRECTION_REVIEW_STATUSES,
  classifierCorrections,
  comments,
  socialAccounts,
  users,
} from '../../../db/schema/index.js';
import { accountLabel } from '../../accounts/account-label.js';
import type { ServiceContext } from '../../core/service-context.js';
import { queryable } from '../../core/service-context.js';
import { invalidInputFrom } from '../../core/service-error.js';
import { excerpt } from '../../moderation/list-flags.js';
import { loadSchoolFor } from '../school-lexicon-access.js';
import { CORRECTION_REVIEWERS } from './correction-access.js';

export const listCorrectionsInput = z.object({
  /** "pending" (the default): waiting for review; "reviewed": what review made of them; "all". */
  status: z.enum(['pending', 'reviewed', 'all']).default('pending'),
});

export interface CorrectionView {
  id: string;
  commentId: string;
  accountLabel: string;
  /** The comment's text (shortened); null once redacted under the retention policy. */
  commentText: string | null;
  kind: 'missed' | 'confirmed' | 'overturned';
  category: string;
  subcategory: string;
  note: string;
  /** The categories the classifier had given, and the ones the comment has now. */
  categoriesBefore: string[];
  categoriesNow: string[];
  classifierVersion: string | null;
  correctedBy: string;
  createdAt: Date;
  reviewStatus: string;
  reviewedBy: string | null;
  reviewedAt: Date | null;
  reviewNote: string | null;
  exampleExpect: string[] | null;
}

const REVIEWED = CORRECTION_REVIEW_STATUSES.filter((s) => s !== 'pending' && s !== 'not_needed');

/** The school's corrections to review (trust admins), newest first. */
export async function listCorrections(
  ctx: ServiceContext,
  schoolId: string,
  raw: unknown = {},
): Promise<{ school: { id: string; name: string }; corrections: CorrectionView[] }> {
  const parsed = listCorrectionsInput.safeParse(raw ?? {});
  if (!parsed.success) throw invalidInputFrom(parsed.error);
  const db = queryable(ctx);
  const school = await loadSchoolFor(ctx, db, schoolId, CORRECTION_REVIEWERS, 'review corrections');
  const corrector = aliasedTable(users, 'corrector');
  const reviewer = aliasedTable(users, 'reviewer');
  const status = parsed.data.status;
  const where = and(
    eq(classifierCorrections.schoolId, schoolId),
    status === 'pending'
      ? eq(classifierCorrections.reviewStatus, 'pending')
      : status === 'reviewed'
        ? inArray(classifierCorrections.reviewStatus, [...REVIEWED])
        : undefined,
  );
  const rows = await db
    .select({
      c: classifierCorrections,
      text: comments.text,
      redactedAt: comments.redactedAt,
      labelsNow: comments.labels,
      handle: socialAccounts.handle,
      platform: socialAccounts.platform,
      correctedBy: corrector.displayName,
      reviewedBy: reviewer.displayName,
    })
    .from(classifierCorrections)
    .innerJoin(comments, eq(comments.id, classifierCorrections.commentId))
    .innerJoin(socialAccounts, eq(socialAccounts.id, comments.accountId))
    .leftJoin(corrector, eq(corrector.id, classifierCorrections.correctedBy))
    .leftJoin(reviewer, eq(reviewer.id, classifierCorrections.reviewedBy))
    .where(where)
    .orderBy(desc(classifierCorrections.createdAt))
    .limit(200);
  return {
    school,
    corrections: rows.map((r) => ({
      id: r.c.id,
      commentId: r.c.commentId,
      accountLabel: accountLabel(r),
      commentText: r.redactedAt ? null : excerpt(r.text),
      kind: r.c.kind,
      category: r.c.category,
      subcategory: r.c.subcategory,
      note: r.c.note,
      categoriesBefore: [...new Set(r.c.labelsBefore.map((l) => l.category))],
      categoriesNow: [...new Set(r.labelsNow.map((l) => l.category))],
      classifierVersion: r.c.classifierVersion,
      correctedBy: r.correctedBy ?? 'Unknown',
      createdAt: r.c.createdAt,
      reviewStatus: r.c.reviewStatus,
      reviewedBy: r.reviewedBy,
      reviewedAt: r.c.reviewedAt,
      reviewNote: r.c.reviewNote,
      exampleExpect: r.c.exampleExpect,
    })),
  };
}
