import { and, asc, eq } from 'drizzle-orm';
import { schoolLexiconEntries } from '../../db/schema/index.js';
import { queryable, type ServiceContext } from '../core/service-context.js';
import { LEXICON_READERS, loadSchoolFor } from './school-lexicon-access.js';

export interface SchoolTermView {
  id: string;
  kind: 'term' | 'allow';
  term: string;
  category: string | null;
  subcategory: string | null;
  severity: 'low' | 'medium' | 'high' | null;
  addedBy: string | null;
  createdAt: Date;
}

/** A school's own classifier terms and allow-list entries, oldest first. Comms may read them. */
export async function listSchoolTerms(
  ctx: ServiceContext,
  schoolId: string,
  filter: { kind?: 'term' | 'allow' } = {},
): Promise<{ entries: SchoolTermView[] }> {
  const db = queryable(ctx);
  await loadSchoolFor(ctx, db, schoolId, LEXICON_READERS, "read the school's classifier terms");
  const rows = await db
    .select({
      id: schoolLexiconEntries.id,
      kind: schoolLexiconEntries.kind,
      term: schoolLexiconEntries.term,
      category: schoolLexiconEntries.category,
      subcategory: schoolLexiconEntries.subcategory,
      severity: schoolLexiconEntries.severity,
      addedBy: schoolLexiconEntries.addedBy,
      createdAt: schoolLexiconEntries.createdAt,
    })
    .from(schoolLexiconEntries)
    .where(
      and(
        eq(schoolLexiconEntries.schoolId, schoolId),
        filter.kind ? eq(schoolLexiconEntries.kind, filter.kind) : undefined,
      ),
    )
    .orderBy(asc(schoolLexiconEntries.createdAt), asc(schoolLexiconEntries.id));
  return { entries: rows };
}
