import { and, eq, inArray, isNull } from 'drizzle-orm';
import { z } from 'zod';
import { DEFAULT_HOLDING_REPLY, memberships, schools, users } from '../../db/schema/index.js';
import { emitAudit } from '../audit/emit-audit.js';
import { assertRole } from '../core/authorization.js';
import { queryable, type ServiceContext } from '../core/service-context.js';
import { invalidField, invalidInputFrom, notFound } from '../core/service-error.js';
import { withTransaction } from '../core/with-transaction.js';
import { MAX_FOLLOW_UP_WORKING_DAYS } from './follow-up.js';
import { type RetentionSettings, retentionOf, retentionSettingsSchema } from './retention-settings.js';
import { schoolCalendarOf } from './school-calendar-of.js';

/** Who changes these settings: those who change the school's calendar. */
export const DEADLINE_SETTINGS_EDITORS = ['senior_leader', 'trust_admin'] as const;

const noNul = (s: string) => !s.includes('\u0000');

export const deadlineSettingsInputSchema = z.object({
  holdingReplyTemplate: z
    .string()
    .trim()
    .min(1, 'write the holding reply the school sends')
    .max(2_000, 'keep the holding reply under 2,000 characters')
    .refine(noNul, 'the holding reply must not contain a NUL character'),
  followUpWorkingDays: z.coerce
    .number({ error: 'the follow-up target must be a number of working days' })
    .int('the follow-up target must be a whole number of working days')
    .min(1, 'the follow-up target is at least 1 working day')
    .max(
      MAX_FOLLOW_UP_WORKING_DAYS,
      `the follow-up target is at most ${MAX_FOLLOW_UP_WORKING_DAYS} working days`,
    ),
  closureMonitorIds: z.array(z.uuid('choose people from the list')).max(50),
  retentionMonths: z.coerce
    .number({ error: 'comment retention must be a number of months' })
    .int()
    .min(1, 'keep comments at least 1 month')
    .max(120, 'keep comments at most 120 months'),
  retention: retentionSettingsSchema,
});
export type DeadlineSettingsInput = z.input<typeof deadlineSettingsInputSchema>;

export interface DeadlineSettings {
  holdingReplyTemplate: string;
  defaultHoldingReply: string;
  followUpWorkingDays: number;
  closureMonitorIds: string[];
  retentionMonths: number;
  retention: RetentionSettings;
  /** The school's staff, to choose closure monitors from. */
  staff: { id: string; name: string }[];
  /** Closures today or later while nobody is named to monitor during closures (P1 warning). */
  unmonitoredClosures: { from: string; to: string; label: string }[];
  editable: boolean;
}

/** The school's P1, P2 and P12 settings, for the settings page. Senior leaders and trust admins. */
export async function getDeadlineSettings(
  ctx: ServiceContext,
  schoolId: string,
  now = new Date(),
): Promise<DeadlineSettings> {
  assertRole(
    ctx,
    schoolId,
    [...DEADLINE_SETTINGS_EDITORS],
    "see the school's deadline and retention settings",
  );
  const db = queryable(ctx);
  const [school] = await db.select().from(schools).where(eq(schools.id, schoolId));
  if (!school) throw notFound('That school');
  const staff = await schoolStaff(ctx, schoolId);
  const calendar = schoolCalendarOf(school);
  const today = now.toISOString().slice(0, 10);
  return {
    holdingReplyTemplate: school.holdingReplyTemplate,
    defaultHoldingReply: DEFAULT_HOLDING_REPLY,
    followUpWorkingDays: school.followUpWorkingDays,
    closureMonitorIds: school.closureMonitorIds,
    retentionMonths: school.retentionMonths,
    retention: retentionOf(school.retention),
    staff,
    unmonitoredClosures:
      school.closureMonitorIds.length > 0
        ? []
        : calendar.closures
            .filter((c) => c.to >= today)
            .map((c) => ({ from: c.from, to: c.to, label: c.label })),
    editable: true,
  };
}

async function schoolStaff(ctx: ServiceContext, schoolId: string) {
  return queryable(ctx)
    .selectDistinct({ id: users.id, name: users.displayName })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.schoolId, schoolId), isNull(users.disabledAt)))
    .orderBy(users.displayName);
}

/** Saves them, audited with before and after; closure monitors must be the school's enabled staff. */
export async function updateDeadlineSettings(
  ctx: ServiceContext,
  schoolId: string,
  raw: unknown,
): Promise<void> {
  assertRole(
    ctx,
    schoolId,
    [...DEADLINE_SETTINGS_EDITORS],
    "change the school's deadline and retention settings",
  );
  const parsed = deadlineSettingsInputSchema.safeParse(raw);
  if (!parsed.success) throw invalidInputFrom(parsed.error);
  const input = parsed.data;
  const monitorIds = [...new Set(input.closureMonitorIds)];
  await withTransaction(ctx, async (tx) => {
    const [school] = await tx.select().from(schools).where(eq(schools.id, schoolId)).for('update');
    if (!school) throw notFound('That school');
    if (monitorIds.length) {
      const known = await tx
        .selectDistinct({ id: users.id })
        .from(memberships)
        .innerJoin(users, eq(users.id, memberships.userId))
        .where(
          and(eq(memberships.schoolId, schoolId), inArray(users.id, monitorIds), isNull(users.disabledAt)),
        );
      if (known.length !== monitorIds.length)
        throw invalidField('closureMonitorIds', 'Closure monitors must be enabled staff of this school');
    }
    const before = {
      holdingReplyTemplate: school.holdingReplyTemplate,
      followUpWorkingDays: school.followUpWorkingDays,
      closureMonitorIds: school.closureMonitorIds,
      retentionMonths: school.retentionMonths,
      retention: retentionOf(school.retention),
    };
    const after = {
      holdingReplyTemplate: input.holdingReplyTemplate,
      followUpWorkingDays: input.followUpWorkingDays,
      closureMonitorIds: monitorIds,
      retentionMonths: input.retentionMonths,
      retention: input.retention,
    };
    await tx.update(schools).set(after).where(eq(schools.id, schoolId));
    const retentionChanged =
      before.retentionMonths !== after.retentionMonths ||
      JSON.stringify(before.retention) !== JSON.stringify(after.retention);
    await emitAudit(tx, ctx, [
      {
        action: 'school.deadline_settings_changed',
        schoolId,
        subject: { type: 'school', id: schoolId, label: school.name },
        details: {
          before: { ...before, holdingReplyTemplate: undefined },
          after: { ...after, holdingReplyTemplate: undefined },
          holdingReplyChanged: before.holdingReplyTemplate !== after.holdingReplyTemplate,
          holdingReplyTemplate: after.holdingReplyTemplate,
        },
      },
      ...(retentionChanged
        ? [
            {
              action: 'school.retention_changed' as const,
              schoolId,
              subject: { type: 'school', id: schoolId, label: school.name },
              details: {
                before: { retentionMonths: before.retentionMonths, ...before.retention },
                after: { retentionMonths: after.retentionMonths, ...after.retention },
              },
            },
          ]
        : []),
    ]);
  });
}
