import { and, eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Transaction } from '../../db/client.js';
import { schoolLexiconEntries } from '../../db/schema/index.js';
import { emitAudit } from '../audit/emit-audit.js';
import type { ServiceContext } from '../core/service-context.js';
import { conflict, invalidField, invalidInputFrom } from '../core/service-error.js';
import { withTransaction } from '../core/with-transaction.js';
import type { SchoolTermView } from './list-school-terms.js';
import { bumpLexiconVersion, shippedClassifier } from './school-classifier-cache.js';
import { LEXICON_EDITORS, loadSchoolFor } from './school-lexicon-access.js';

/** Categories a school may add terms to; the shipped lexicons name the same ones. */
export const SCHOOL_TERM_CATEGORIES = [
  'offensive',
  'safeguarding',
  'personal_data',
  'media_enquiry',
  'complaint',
  'spam',
] as const;

const term = z
  .string()
  .trim()
  .min(2, 'a term needs at least 2 characters')
  .max(100, 'a term is at most 100 characters')
  .refine(
    (t) => ![...t].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f),
    'a term cannot contain control characters',
  );

export const addSchoolTermInput = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('term'),
    term,
    category: z.enum(SCHOOL_TERM_CATEGORIES),
    /** e.g. "insult", "self_harm"; defaults to "school_term". */
    subcategory: z
      .string()
      .trim()
      .regex(/^[a-z][a-z_]{1,39}$/, 'a subcategory is lower-case letters and underscores')
      .default('school_term'),
    severity: z.enum(['low', 'medium', 'high']),
  }),
  z.object({ kind: z.literal('allow'), term }),
]);
export type AddSchoolTermInput = z.input<typeof addSchoolTermInput>;

/**
 * Adds a term the classifier flags at this school (a local nickname used as an insult, a
 * teacher's name used in abuse) or an allow-list entry that keeps a harmless word unflagged (the
 * village of Cockermouth). Trust admins and senior leaders; audited; every process's classifier
 * cache for the school recompiles at its next comment.
 */
export async function addSchoolTerm(
  ctx: ServiceContext,
  schoolId: string,
  raw: unknown,
): Promise<SchoolTermView> {
  const parsed = addSchoolTermInput.safeParse(raw);
  if (!parsed.success) throw invalidInputFrom(parsed.error);
  const input = parsed.data;
  if (input.kind === 'allow') refuseAllowingAConcern(input.term);
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
    const [existing] = await tx
      .select({ id: schoolLexiconEntries.id })
      .from(schoolLexiconEntries)
      .where(
        and(
          eq(schoolLexiconEntries.schoolId, schoolId),
          eq(schoolLexiconEntries.kind, input.kind),
          sql`lower(${schoolLexiconEntries.term}) = lower(${input.term})`,
        ),
      );
    if (existing) {
      throw conflict(
        input.kind === 'allow' ? 'That allow-list entry already exists' : 'That term already exists',
        { entryId: existing.id },
      );
    }
    const [row] = await tx
      .insert(schoolLexiconEntries)
      .values({
        schoolId,
        kind: input.kind,
        term: input.term,
        category: input.kind === 'term' ? input.category : null,
        subcategory: input.kind === 'term' ? input.subcategory : null,
        severity: input.kind === 'term' ? input.severity : null,
        addedBy: ctx.actor.type === 'user' ? ctx.actor.id : null,
      })
      .returning();
    const entry = row!;
    await recordLexiconEntryChange(tx, ctx, school, entry, 'added');
    return {
      id: entry.id,
      kind: entry.kind,
      term: entry.term,
      category: entry.category,
      subcategory: entry.subcategory,
      severity: entry.severity,
      addedBy: entry.addedBy,
      createdAt: entry.createdAt,
    };
  });
}

/**
 * An allow-list entry keeps a harmless word unflagged wherever it appears; one that is itself a
 * safeguarding concern or a threat ("kill myself", "bring a knife") would silence every comment
 * that says it, so it is refused. Swearing and insults may be allowed (a village called Twatt).
 */
function refuseAllowingAConcern(term: string): void {
  const concern = shippedClassifier()
    .classify(term)
    .labels.find(
      (l) =>
        // What a rule finds in the phrase; the model's guess about a short phrase is not enough to refuse it.
        !l.source.startsWith('model@') &&
        (l.category === 'safeguarding' || (l.category === 'offensive' && l.subcategory === 'threat')),
    );
  if (concern === undefined) return;
  const what = concern.category === 'safeguarding' ? 'a safeguarding concern' : 'a threat';
  throw invalidField(
    'term',
    `“${term}” reads as ${what}; allowing it would stop the classifier finding it in every comment, so it cannot be allowed. A single comment flagged wrongly is cleared with “Not a problem”, which needs no allow-list entry`,
  );
}

/**
 * After a school's own term or allow-list entry was added or removed: every process's compiled
 * classifier for the school is stale (lexicon version bumped), and the change is audited.
 */
export async function recordLexiconEntryChange(
  tx: Transaction,
  ctx: ServiceContext,
  school: { id: string; name: string },
  entry: typeof schoolLexiconEntries.$inferSelect,
  change: 'added' | 'removed',
): Promise<void> {
  await bumpLexiconVersion(tx, school.id);
  await emitAudit(tx, ctx, {
    action: 'school.lexicon_changed',
    schoolId: school.id,
    subject: { type: 'school', id: school.id, label: school.name },
    details: {
      change,
      entryId: entry.id,
      kind: entry.kind,
      term: entry.term,
      category: entry.category,
      subcategory: entry.subcategory,
      severity: entry.severity,
    },
  });
}
