import { eq, sql } from 'drizzle-orm';
import type { Queryable } from '../../db/client.js';
import { rosterEntries, schoolLexiconEntries, schools } from '../../db/schema/index.js';
import { decryptSecret } from '../core/secret-box.js';
import { createClassifier } from './create-classifier.js';
import { contactDetailsOf, hasContactDetails } from './own-contact-details.js';
import type { Category, Classifier, ExtraTerm, RosterEntry, Severity } from './types.js';

/**
 * A compiled classifier per school (shipped lexicons + the school's own terms, allow-list and
 * pupil roster). Compiling is costly, so each is kept until the school's `lexicon_version` moves:
 * every change to its terms, allow-list or roster bumps that column in the same transaction
 * (`bumpLexiconVersion`), and every process reads it (one primary-key lookup) before using its
 * cached copy. So an API process and any number of workers see a change at their next comment,
 * without a message bus, and a lost Redis loses nothing. The roster is decrypted only in memory
 * and never logged.
 */
let shipped: Classifier | undefined;

/** The shipped lexicons alone, compiled once per process. */
export function shippedClassifier(): Classifier {
  shipped ??= createClassifier();
  return shipped;
}

export class SchoolClassifierCache {
  private readonly entries = new Map<string, { classifier: Classifier; version: number }>();

  constructor(private readonly encryptionKey: Buffer) {}

  shippedOnly(): Classifier {
    return shippedClassifier();
  }

  async forSchool(db: Queryable, schoolId: string): Promise<Classifier> {
    const [school] = await db
      .select({ version: schools.lexiconVersion, contactDetails: schools.contactDetails })
      .from(schools)
      .where(eq(schools.id, schoolId));
    const version = school?.version ?? 0;
    const cached = this.entries.get(schoolId);
    if (cached && cached.version === version) return cached.classifier;
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
    const contacts = contactDetailsOf(school?.contactDetails);
    const ownContacts = hasContactDetails(contacts) ? { ownContacts: contacts } : {};
    const classifier =
      extraTerms.length || allowList.length || pupils.length || ownContacts.ownContacts
        ? createClassifier({ roster: pupils, extraTerms, allowList, ...ownContacts })
        : this.shippedOnly();
    this.entries.set(schoolId, { classifier, version });
    return classifier;
  }
}

/**
 * Marks the school's own lexicon or roster as changed, in the caller's transaction: every
 * process's cache recompiles at its next use. Also serialises concurrent changes to one school.
 */
export async function bumpLexiconVersion(db: Queryable, schoolId: string): Promise<void> {
  await db
    .update(schools)
    .set({ lexiconVersion: sql`${schools.lexiconVersion} + 1` })
    .where(eq(schools.id, schoolId));
}
