import { eq } from 'drizzle-orm';
import { schools } from '../../db/schema/index.js';
import { emitAudit } from '../audit/emit-audit.js';
import type { ServiceContext } from '../core/service-context.js';
import { invalidInputFrom } from '../core/service-error.js';
import { withTransaction } from '../core/with-transaction.js';
import {
  contactDetailsOf,
  type SchoolContactDetails,
  schoolContactDetailsSchema,
} from './own-contact-details.js';
import { bumpLexiconVersion } from './school-classifier-cache.js';
import { loadSchoolFor } from './school-lexicon-access.js';

/** Who may change the school's published contact details: those who change its other settings. */
export const CONTACT_DETAILS_EDITORS = ['senior_leader', 'trust_admin'] as const;

export const setSchoolContactDetailsInput = schoolContactDetailsSchema;

/**
 * Replaces the school's published contact details. The outgoing check (and the classifier) stop
 * treating them as personal data from the next reply on: the lexicon version is bumped with them.
 */
export async function setSchoolContactDetails(
  ctx: ServiceContext,
  schoolId: string,
  rawInput: unknown,
): Promise<SchoolContactDetails> {
  const parsed = setSchoolContactDetailsInput.safeParse(rawInput);
  if (!parsed.success) throw invalidInputFrom(parsed.error, 'Contact details: ');
  const details: SchoolContactDetails = {
    emails: [...new Set(parsed.data.emails.map((e) => e.trim().toLowerCase()))],
    phones: [...new Set(parsed.data.phones.map((p) => p.trim()))],
    address: parsed.data.address.trim(),
    website: parsed.data.website.trim(),
  };
  return withTransaction(ctx, async (tx) => {
    const school = await loadSchoolFor(
      ctx,
      tx,
      schoolId,
      CONTACT_DETAILS_EDITORS,
      "change the school's contact details",
      {
        forUpdate: true,
      },
    );
    const [before] = await tx
      .select({ contactDetails: schools.contactDetails })
      .from(schools)
      .where(eq(schools.id, schoolId));
    await tx.update(schools).set({ contactDetails: details }).where(eq(schools.id, schoolId));
    await bumpLexiconVersion(tx, schoolId);
    await emitAudit(tx, ctx, {
      action: 'school.contact_details_changed',
      schoolId,
      subject: { type: 'school', id: schoolId, label: school.name },
      details: { before: contactDetailsOf(before?.contactDetails), after: details },
    });
    return details;
  });
}
