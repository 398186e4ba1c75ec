import { and, eq, inArray, isNull } from 'drizzle-orm';
import { z } from 'zod';
import {
  accountRisks,
  memberships,
  SHORTFALL_MODES,
  schoolPeopleSettings,
  schools,
  socialAccounts,
  users,
} from '../../db/schema/index.js';
import { emitAudit } from '../audit/emit-audit.js';
import { behaviourLeadRecipients } from '../comments/pupil-author.js';
import { assertInScope, assertRole } from '../core/authorization.js';
import { queryable, type ServiceContext } from '../core/service-context.js';
import { notFound } from '../core/service-error.js';
import { withTransaction } from '../core/with-transaction.js';
import { holdsRole } from './account-access.js';
import { accountLabel } from './account-label.js';
import { loadPeopleSettings, schoolsWithSafeguardingLead } from './account-risks.js';

/** Who may change the people settings. */
export const PEOPLE_SETTINGS_EDITORS = ['trust_admin', 'senior_leader'] as const;

export const peopleSettingsInput = z.object({
  shortfallMode: z.enum(SHORTFALL_MODES, {
    error: 'choose "refuse" or "at_risk" for what happens when a change leaves an account short',
  }),
  replacementDays: z.coerce
    .number({ error: 'the replacement time is a whole number of days' })
    .int('the replacement time is a whole number of days')
    .min(1, 'the replacement time is at least 1 day')
    .max(90, 'the replacement time is at most 90 days'),
});
export type PeopleSettingsInput = z.input<typeof peopleSettingsInput>;

export const peopleSettingsViewSchema = z.object({
  schoolId: z.uuid(),
  shortfallMode: z.enum(SHORTFALL_MODES),
  replacementDays: z.number().int(),
  hasSafeguardingLead: z.boolean(),
  /** 002 §5 Pupils: who a pupil's comment goes to; null, the senior leaders */
  behaviourLead: z.object({ userId: z.uuid(), name: z.string() }).nullable(),
  /** the school's enabled staff, to choose the behaviour lead from */
  staff: z.array(z.object({ userId: z.uuid(), name: z.string() })),
  editable: z.boolean(),
  atRisk: z.array(
    z.object({
      accountId: z.uuid(),
      label: z.string(),
      reasons: z.array(z.string()),
      dueAt: z.string(),
      overdue: z.boolean(),
    }),
  ),
});
export type PeopleSettingsView = z.infer<typeof peopleSettingsViewSchema>;

/** P4/P8 settings of a school, with the accounts now at risk; anyone at the school may read them. */
export async function getPeopleSettings(ctx: ServiceContext, schoolId: string): Promise<PeopleSettingsView> {
  assertInScope(ctx, schoolId, 'That school');
  const db = queryable(ctx);
  const [school] = await db.select({ id: schools.id }).from(schools).where(eq(schools.id, schoolId));
  if (!school) throw notFound('That school');
  const settings = await loadPeopleSettings(db, schoolId);
  const risks = await db
    .select({ risk: accountRisks, account: socialAccounts })
    .from(accountRisks)
    .innerJoin(socialAccounts, eq(socialAccounts.id, accountRisks.accountId))
    .where(eq(accountRisks.schoolId, schoolId))
    .orderBy(accountRisks.dueAt);
  const { lead } = await behaviourLeadRecipients(db, schoolId);
  const staff = await db
    .selectDistinct({ id: users.id, name: users.displayName })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.schoolId, schoolId), isNull(users.disabledAt)))
    .orderBy(users.displayName);
  const now = Date.now();
  return {
    schoolId,
    shortfallMode: settings.shortfallMode,
    replacementDays: settings.replacementDays,
    hasSafeguardingLead: (await schoolsWithSafeguardingLead(db, [schoolId])).has(schoolId),
    behaviourLead: lead ? { userId: lead.id, name: lead.name } : null,
    staff: staff.map((p) => ({ userId: p.id, name: p.name })),
    editable: holdsRole(ctx, schoolId, PEOPLE_SETTINGS_EDITORS),
    atRisk: risks.map(({ risk, account }) => ({
      accountId: account.id,
      label: accountLabel(account),
      reasons: risk.reasons,
      dueAt: risk.dueAt.toISOString(),
      overdue: risk.dueAt.getTime() <= now,
    })),
  };
}

/** A trust admin or senior leader chooses refuse or at-risk, and the replacement time (audited). */
export async function updatePeopleSettings(
  ctx: ServiceContext,
  schoolId: string,
  raw: PeopleSettingsInput,
): Promise<PeopleSettingsView> {
  const input = peopleSettingsInput.parse(raw);
  assertRole(ctx, schoolId, PEOPLE_SETTINGS_EDITORS, "change the school's people settings");
  await withTransaction(ctx, async (tx) => {
    const [school] = await tx.select().from(schools).where(eq(schools.id, schoolId)).for('update');
    if (!school) throw notFound('That school');
    const before = await loadPeopleSettings(tx, schoolId);
    await tx
      .insert(schoolPeopleSettings)
      .values({ schoolId, ...input })
      .onConflictDoUpdate({
        target: schoolPeopleSettings.schoolId,
        set: { ...input, updatedAt: new Date() },
      });
    // A shorter replacement time applies to accounts already at risk too; a longer one does not
    // move a deadline already given.
    if (input.replacementDays < before.replacementDays) {
      const rows = await tx.select().from(accountRisks).where(eq(accountRisks.schoolId, schoolId));
      for (const r of rows) {
        const due = new Date(r.since.getTime() + input.replacementDays * 24 * 60 * 60 * 1000);
        if (due < r.dueAt) {
          await tx
            .update(accountRisks)
            .set({ dueAt: due })
            .where(and(eq(accountRisks.accountId, r.accountId), inArray(accountRisks.schoolId, [schoolId])));
        }
      }
    }
    await emitAudit(tx, ctx, {
      action: 'school.people_settings_changed',
      schoolId,
      subject: { type: 'school', id: schoolId, label: school.name },
      details: {
        before: { shortfallMode: before.shortfallMode, replacementDays: before.replacementDays },
        after: input,
      },
    });
  });
  return getPeopleSettings(ctx, schoolId);
}
