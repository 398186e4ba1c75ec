import { and, eq } from 'drizzle-orm';
import { schoolLexiconEntries } from '../../db/schema/index.js';
import type { ServiceContext } from '../core/service-context.js';
import { notFound } from '../core/service-error.js';
import { withTransaction } from '../core/with-transaction.js';
import { recordLexiconEntryChange } from './add-school-term.js';
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
    await recordLexiconEntryChange(tx, ctx, school, entry, 'removed');
    return { removed: true as const };
  });
}
