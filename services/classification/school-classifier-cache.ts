import { eq } from 'drizzle-orm';
import type { Queryable } from '../../db/client.js';
import { rosterEntries, schoolLexiconEntries } from '../../db/schema/index.js';
import { decryptSecret } from '../core/secret-box.js';
import { createClassifier } from './create-classifier.js';
import type { Category, Classifier, ExtraTerm, RosterEntry, Severity } from './types.js';

const TTL_MS = 60_000;

/**
 * A compiled classifier per school (shipped lexicons + the school's own terms, allow-list and
 * pupil roster). Compiling is costly, so each is kept for a minute or until the school's lexicon
 * or roster changes (`invalidate`). The roster is decrypted only in memory and never logged.
 */
export class SchoolClassifierCache {
  private readonly entries = new Map<string, { classifier: Classifier; loadedAt: number }>();
  private shipped: Classifier | undefined;

  constructor(private readonly encryptionKey: Buffer) {}

  shippedOnly(): Classifier {
    this.shipped ??= createClassifier();
    return this.shipped;
  }

  invalidate(schoolId: string): void {
    this.entries.delete(schoolId);
  }

  async forSchool(db: Queryable, schoolId: string): Promise<Classifier> {
    const cached = this.entries.get(schoolId);
    if (cached && Date.now() - cached.loadedAt < TTL_MS) return cached.classifier;
    const [terms, roster] = await Promise.all([
      db.select().from(schoolLexiconEntries).where(eq(schoolLexiconEntries.schoolId, schoolId)),
      db.select().from(rosterEntries).where(eq(rosterEntries.schoolId, schoolId)),
    ]);
    const extraTerms: ExtraTerm[] = terms
      .filter((t) => t.kind === 'term' && t.category && t.subcategory && t.severity)
      .map((t) => ({
        category: t.category as Category,
        subcategory: t.subcategory!,
        severity: t.severity as Severity,
        term: t.term,
      }));
    const allowList = terms.filter((t) => t.kind === 'allow').map((t) => t.term);
    const pupils = roster.map(
      (r) => JSON.parse(decryptSecret(this.encryptionKey, r.entryEncrypted)) as RosterEntry,
    );
    const classifier =
      extraTerms.length || allowList.length || pupils.length
        ? createClassifier({ roster: pupils, extraTerms, allowList })
        : this.shippedOnly();
    this.entries.set(schoolId, { classifier, loadedAt: Date.now() });
    return classifier;
  }
}
