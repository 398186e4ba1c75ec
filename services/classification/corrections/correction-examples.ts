import { and, asc, eq, inArray, isNull } from 'drizzle-orm';
import type { Queryable } from '../../../db/client.js';
import { classifierCorrections, comments } from '../../../db/schema/index.js';
import type { ServiceContext } from '../../core/service-context.js';
import { queryable } from '../../core/service-context.js';
import { loadSchoolFor } from '../school-lexicon-access.js';
import { CORRECTION_REVIEWERS } from './correction-access.js';

/** One row of config/classifier/corpus/*.jsonl. */
export interface CorpusRow {
  id: string;
  text: string;
  expect: string[];
  kind: string;
  subkind: string;
}

/** The corpus names the media category "media"; an overturned flag is a hard negative. */
function corpusKind(kind: string, category: string): string {
  if (kind === 'overturned') return 'hard_negative';
  return category === 'media_enquiry' ? 'media' : category;
}

/**
 * Corrections a trust admin turned into training examples, in the corpus format. Redacted
 * comments are left out (their text is gone). `schoolIds` null: every school (the CLI).
 */
export async function correctionExampleRows(
  db: Queryable,
  schoolIds: readonly string[] | null,
): Promise<CorpusRow[]> {
  const rows = await db
    .select({
      id: classifierCorrections.id,
      kind: classifierCorrections.kind,
      category: classifierCorrections.category,
      subcategory: classifierCorrections.subcategory,
      expect: classifierCorrections.exampleExpect,
      text: comments.text,
    })
    .from(classifierCorrections)
    .innerJoin(comments, eq(comments.id, classifierCorrections.commentId))
    .where(
      and(
        eq(classifierCorrections.reviewStatus, 'example'),
        isNull(comments.redactedAt),
        schoolIds ? inArray(classifierCorrections.schoolId, [...schoolIds]) : undefined,
      ),
    )
    .orderBy(asc(classifierCorrections.reviewedAt), asc(classifierCorrections.id));
  return rows.map((r) => ({
    id: `staff-${r.id}`,
    text: r.text,
    expect: r.expect ?? [],
    kind: corpusKind(r.kind, r.category),
    subkind: r.subcategory === 'staff_flag' ? 'staff_correction' : r.subcategory,
  }));
}

export const toJsonl = (rows: readonly CorpusRow[]) => rows.map((r) => `${JSON.stringify(r)}\n`).join('');

/** The school's training examples as JSON lines (trust admins). */
export async function exportCorrectionExamples(ctx: ServiceContext, schoolId: string): Promise<string> {
  const db = queryable(ctx);
  await loadSchoolFor(ctx, db, schoolId, CORRECTION_REVIEWERS, 'export training examples');
  return toJsonl(await correctionExampleRows(db, [schoolId]));
}
