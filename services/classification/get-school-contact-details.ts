import { eq } from 'drizzle-orm';
import { schools } from '../../db/schema/index.js';
import { assertInScope } from '../core/authorization.js';
import { queryable, type ServiceContext } from '../core/service-context.js';
import { notFound } from '../core/service-error.js';
import { contactDetailsOf, type SchoolContactDetails } from './own-contact-details.js';

/** The school's published contact details: public by nature, so any of its staff may read them. */
export async function getSchoolContactDetails(
  ctx: ServiceContext,
  schoolId: string,
): Promise<SchoolContactDetails> {
  assertInScope(ctx, schoolId, 'That school');
  const [school] = await queryable(ctx)
    .select({ contactDetails: schools.contactDetails })
    .from(schools)
    .where(eq(schools.id, schoolId));
  if (!school) throw notFound('That school');
  return contactDetailsOf(school.contactDetails);
}
