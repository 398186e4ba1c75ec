import { and, eq } from 'drizzle-orm';
import type { Queryable } from '../../db/client.js';
import { policyAcknowledgements, schools } from '../../db/schema/index.js';
import type { ServiceContext } from '../core/service-context.js';
import { ServiceError } from '../core/service-error.js';

/** Where a person reads and acknowledges the school's policy. */
export const policyPagePath = (schoolId: string) => `/schools/${schoolId}/policy`;

/**
 * P5: a person replies or moderates only once they have acknowledged the school's current policy
 * version. A refusal is FORBIDDEN with a link to the policy page (`link` in the JSON answer, a
 * link on the error page). The system (jobs) is not a person and is not asked.
 */
export async function assertPolicyAcknowledged(
  db: Queryable,
  ctx: ServiceContext,
  schoolId: string,
  doing: string,
): Promise<void> {
  if (ctx.actor.type !== 'user') return;
  const link = policyPagePath(schoolId);
  const [school] = await db
    .select({ label: schools.policyVersionLabel })
    .from(schools)
    .where(eq(schools.id, schoolId));
  if (!school?.label) {
    throw new ServiceError(
      'FORBIDDEN',
      `You cannot ${doing} yet: the school has not published its social media policy in Hallmonitor. A senior leader or trust admin publishes it at ${link}`,
      { link, policyVersionLabel: null },
    );
  }
  const [ack] = await db
    .select({ id: policyAcknowledgements.id })
    .from(policyAcknowledgements)
    .where(
      and(
        eq(policyAcknowledgements.schoolId, schoolId),
        eq(policyAcknowledgements.userId, ctx.actor.id),
        eq(policyAcknowledgements.versionLabel, school.label),
      ),
    )
    .limit(1);
  if (!ack) {
    throw new ServiceError(
      'FORBIDDEN',
      `Before you ${doing}, read and acknowledge the school's social media policy (version ${school.label}) at ${link}`,
      { link, policyVersionLabel: school.label },
    );
  }
}
