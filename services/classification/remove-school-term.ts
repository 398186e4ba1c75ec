import { and, eq } from 'drizzle-orm';
import { schoolLexiconEntries } from '../../db/schema/index.js';
import { emitAudit } from '../audit/emit-audit.js';
import type { ServiceContext } from '../core/service-context.js';
import { notFound } from '../core/service-error.js';
import { withTransaction } from '../core/with-transaction.js';
import { bumpLexiconVersion } from './school-classifier-cache.js';
import { LEXICON_EDITORS, loadSchoolFor } from './school-lexicon-access.js';

/** Removes one of the school's own terms or allow-list entries; audited with what it was. */
export async function removeSchoolTerm(
  ctx: ServiceContext,
  schoolId: string,
  entryId: string,
): Promise<{ removed: true }> {
  return withTransaction(ctx, async (tx) => {
    const school = await loadSchoolFor(
      ctx,
      tx,
      schoolId,
      LEXICON_EDITORS,
      "change the school's classifier terms",
      {
        forUpdate: true,
      },
    );
    const [entry] = await tx
      .delete(schoolLexiconEntries)
      .where(and(eq(schoolLexiconEntries.id, entryId), eq(schoolLexiconEntries.schoolId, schoolId)))
      .returning();
    if (!entry) throw notFound('That term');
    await bumpLexiconVersion(tx, schoolId);
    await emitAudit(tx, ctx, {
      action: 'school.lexicon_changed',
      schoolId,
      subject: { type: 'school', id: schoolId, label: school.name },
      details: {
        change: 'removed',
        entryId: entry.id,
        kind: entry.kind,
        term: entry.term,
        category: entry.category,
        subcategory: entry.subcategory,
        severity: entry.severity,
      },
    });
    return { removed: true as const };
  });
}
