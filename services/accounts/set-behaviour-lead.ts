import { and, eq, isNull } from 'drizzle-orm';
import { z } from 'zod';
import { memberships, schoolPeopleSettings, schools, users } from '../../db/schema/index.js';
import { emitAudit } from '../audit/emit-audit.js';
import { assertRole } from '../core/authorization.js';
import type { ServiceContext } from '../core/service-context.js';
import { invalidInput, invalidInputFrom, notFound } from '../core/service-error.js';
import { withTransaction } from '../core/with-transaction.js';
import { DEFAULT_PEOPLE_SETTINGS } from './account-risks.js';
import { PEOPLE_SETTINGS_EDITORS } from './people-settings.js';

export const behaviourLeadInput = z.object({
  /** null: nobody named, so pupils' comments go to the senior leaders */
  userId: z.uuid({ error: 'choose a member of staff' }).nullable(),
});

/**
 * 002 §5 Pupils: a pupil's comment on the school's accounts is resolved under the behaviour policy.
 * A senior leader or trust admin names who receives them (audited); nobody named, the senior leaders do.
 */
export async function setBehaviourLead(
  ctx: ServiceContext,
  schoolId: string,
  raw: unknown,
): Promise<{ userId: string | null }> {
  const parsed = behaviourLeadInput.safeParse(raw);
  if (!parsed.success) throw invalidInputFrom(parsed.error);
  const { userId } = parsed.data;
  assertRole(ctx, schoolId, PEOPLE_SETTINGS_EDITORS, 'name the behaviour lead');
  return withTransaction(ctx, async (tx) => {
    const [school] = await tx.select().from(schools).where(eq(schools.id, schoolId)).for('update');
    if (!school) throw notFound('That school');
    let name: string | null = null;
    if (userId) {
      const [person] = await tx
        .select({ name: users.displayName })
        .from(memberships)
        .innerJoin(users, eq(users.id, memberships.userId))
        .where(
          and(eq(memberships.schoolId, schoolId), eq(memberships.userId, userId), isNull(users.disabledAt)),
        )
        .limit(1);
      if (!person) throw invalidInput('The behaviour lead must be one of the school’s staff who can sign in');
      name = person.name;
    }
    await tx
      .insert(schoolPeopleSettings)
      .values({ schoolId, ...DEFAULT_PEOPLE_SETTINGS, behaviourLeadId: userId })
      .onConflictDoUpdate({
        target: schoolPeopleSettings.schoolId,
        set: { behaviourLeadId: userId, updatedAt: new Date() },
      });
    await emitAudit(tx, ctx, {
      action: 'school.people_settings_changed',
      schoolId,
      subject: { type: 'school', id: schoolId, label: school.name },
      details: { behaviourLead: userId ? { userId, name } : null },
    });
    return { userId };
  });
}
