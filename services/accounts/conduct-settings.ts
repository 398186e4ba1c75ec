import { and, eq, inArray, isNull } from 'drizzle-orm';
import { z } from 'zod';
import type { Queryable } from '../../db/client.js';
import { memberships, schoolConductSettings, schools, users } from '../../db/schema/index.js';
import { emitAudit } from '../audit/emit-audit.js';
import { assertInScope, assertRole } from '../core/authorization.js';
import { queryable, type ServiceContext } from '../core/service-context.js';
import { invalidInput, notFound } from '../core/service-error.js';
import { withTransaction } from '../core/with-transaction.js';
import { holdsRole } from './account-access.js';

/** Who may name the headteacher, deputies and data protection officer. */
export const CONDUCT_SETTINGS_EDITORS = ['trust_admin', 'senior_leader'] as const;

export interface ConductSettings {
  schoolId: string;
  headteacherId: string | null;
  mediaDeputyIds: string[];
  dpoUserId: string | null;
  dpoEmail: string | null;
  harassmentCount: number;
  harassmentWindowDays: number;
}

export const DEFAULT_CONDUCT_SETTINGS: Readonly<Omit<ConductSettings, 'schoolId' | 'mediaDeputyIds'>> =
  Object.freeze({
    headteacherId: null,
    dpoUserId: null,
    dpoEmail: null,
    harassmentCount: 3,
    harassmentWindowDays: 7,
  });

export async function loadConductSettings(db: Queryable, schoolId: string): Promise<ConductSettings> {
  const [row] = await db
    .select()
    .from(schoolConductSettings)
    .where(eq(schoolConductSettings.schoolId, schoolId));
  if (!row) return { schoolId, ...DEFAULT_CONDUCT_SETTINGS, mediaDeputyIds: [] };
  const { updatedAt: _, ...settings } = row;
  return settings;
}

/** Enabled senior leaders of the school: the only people who may be headteacher or a deputy. */
async function seniorLeaders(db: Queryable, schoolId: string): Promise<{ id: string; name: string }[]> {
  return db
    .selectDistinct({ id: users.id, name: users.displayName })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(
      and(
        eq(memberships.schoolId, schoolId),
        eq(memberships.role, 'senior_leader'),
        isNull(users.disabledAt),
      ),
    )
    .orderBy(users.displayName);
}

export interface MediaApprovers {
  /** Null: no headteacher named; any senior leader approves until one is (a warning on Settings). */
  headteacher: { id: string; name: string } | null;
  deputies: { id: string; name: string }[];
  /** Who may approve a media reply now: the headteacher and deputies who are working senior leaders. */
  ids: string[];
}

/**
 * P6: who approves replies to a media enquiry. The policy says the headteacher; the school names
 * them (a designation on a senior leader) and deputies. A person who stopped being a working senior
 * leader drops out of the list; with nobody named, the school's senior leaders approve.
 */
export async function mediaApprovers(db: Queryable, schoolId: string): Promise<MediaApprovers> {
  const settings = await loadConductSettings(db, schoolId);
  const leaders = await seniorLeaders(db, schoolId);
  const byId = new Map(leaders.map((l) => [l.id, l]));
  const headteacher = settings.headteacherId ? (byId.get(settings.headteacherId) ?? null) : null;
  const deputies = settings.mediaDeputyIds.flatMap((id) => byId.get(id) ?? []);
  const named = [headteacher, ...deputies].filter((p): p is { id: string; name: string } => !!p);
  return {
    headteacher,
    deputies,
    ids: named.length ? named.map((p) => p.id) : leaders.map((l) => l.id),
  };
}

/**
 * The people the approvals page and refusals name: "Ann Head (headteacher) or Bob Deputy". `show`
 * renders each name (a page escapes and isolates it; plain text leaves it as typed).
 */
export function approverNames(
  a: Pick<MediaApprovers, 'headteacher' | 'deputies'>,
  show: (name: string) => string = (name) => name,
): string {
  const names = [
    ...(a.headteacher ? [`${show(a.headteacher.name)} (headteacher)`] : []),
    ...a.deputies.map((d) => show(d.name)),
  ];
  return names.length ? names.join(' or ') : 'a senior leader (no headteacher is named in Settings)';
}

const optionalUuid = z.preprocess(
  (v) => (v === '' ? null : v),
  z.uuid('choose a person from the list').nullable(),
);

export const conductSettingsInput = z.object({
  headteacherId: optionalUuid,
  mediaDeputyIds: z
    .array(z.uuid('choose deputies from the list'))
    .max(10, 'name at most 10 deputies')
    .default([]),
  dpoUserId: optionalUuid.default(null),
  dpoEmail: z.preprocess(
    (v) => (typeof v === 'string' && v.trim() === '' ? null : v),
    z.email('the data protection officer’s email is not an email address').max(320).nullable(),
  ),
  harassmentCount: z.coerce
    .number({ error: 'the harassment count is a whole number' })
    .int('the harassment count is a whole number')
    .min(2, 'harassment needs at least 2 comments')
    .max(20, 'the harassment count is at most 20'),
  harassmentWindowDays: z.coerce
    .number({ error: 'the harassment window is a whole number of days' })
    .int('the harassment window is a whole number of days')
    .min(1, 'the harassment window is at least 1 day')
    .max(90, 'the harassment window is at most 90 days'),
});
export type ConductSettingsInput = z.input<typeof conductSettingsInput>;

export interface ConductSettingsView {
  schoolId: string;
  headteacher: { id: string; name: string } | null;
  deputies: { id: string; name: string }[];
  dpo: { user: { id: string; name: string } | null; email: string | null };
  harassmentCount: number;
  harassmentWindowDays: number;
  /** The school's working senior leaders: the choices for headteacher and deputies. */
  seniorLeaders: { id: string; name: string }[];
  /** Everyone at the school: the choices for a data protection officer in Hallmonitor. */
  staff: { id: string; name: string }[];
  editable: boolean;
}

/** P6/P7 settings of a school; anyone at the school may read them. */
export async function getConductSettings(
  ctx: ServiceContext,
  schoolId: string,
): Promise<ConductSettingsView> {
  assertInScope(ctx, schoolId, 'That school');
  const db = queryable(ctx);
  const [school] = await db.select({ id: schools.id }).from(schools).where(eq(schools.id, schoolId));
  if (!school) throw notFound('That school');
  const settings = await loadConductSettings(db, schoolId);
  const approvers = await mediaApprovers(db, schoolId);
  const staff = await db
    .selectDistinct({ id: users.id, name: users.displayName })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.schoolId, schoolId), isNull(users.disabledAt)))
    .orderBy(users.displayName);
  return {
    schoolId,
    headteacher: approvers.headteacher,
    deputies: approvers.deputies,
    dpo: {
      user: staff.find((s) => s.id === settings.dpoUserId) ?? null,
      email: settings.dpoEmail,
    },
    harassmentCount: settings.harassmentCount,
    harassmentWindowDays: settings.harassmentWindowDays,
    seniorLeaders: await seniorLeaders(db, schoolId),
    staff,
    editable: holdsRole(ctx, schoolId, CONDUCT_SETTINGS_EDITORS),
  };
}

/**
 * A trust admin or senior leader names the headteacher and deputies (senior leaders of the school),
 * the data protection officer (a person here, an email, or both) and the harassment window (audited).
 */
export async function updateConductSettings(
  ctx: ServiceContext,
  schoolId: string,
  raw: ConductSettingsInput,
): Promise<ConductSettingsView> {
  assertInScope(ctx, schoolId, 'That school');
  assertRole(ctx, schoolId, CONDUCT_SETTINGS_EDITORS, 'change who handles media enquiries and conduct');
  const input = conductSettingsInput.parse(raw);
  const deputies = [...new Set(input.mediaDeputyIds)].filter((id) => id !== input.headteacherId);
  await withTransaction(ctx, async (tx) => {
    const [school] = await tx.select().from(schools).where(eq(schools.id, schoolId)).for('update');
    if (!school) throw notFound('That school');
    const leaders = new Set((await seniorLeaders(tx, schoolId)).map((l) => l.id));
    if (input.headteacherId && !leaders.has(input.headteacherId))
      throw invalidInput('The headteacher must be a senior leader of this school');
    if (deputies.some((id) => !leaders.has(id)))
      throw invalidInput('Each deputy must be a senior leader of this school');
    if (input.dpoUserId) {
      const [member] = await tx
        .select({ id: memberships.userId })
        .from(memberships)
        .where(and(eq(memberships.schoolId, schoolId), inArray(memberships.userId, [input.dpoUserId])));
      if (!member)
        throw invalidInput('The data protection officer must be someone at this school, or an email');
    }
    const before = await loadConductSettings(tx, schoolId);
    const values = {
      headteacherId: input.headteacherId,
      mediaDeputyIds: deputies,
      dpoUserId: input.dpoUserId,
      dpoEmail: input.dpoEmail,
      harassmentCount: input.harassmentCount,
      harassmentWindowDays: input.harassmentWindowDays,
    };
    await tx
      .insert(schoolConductSettings)
      .values({ schoolId, ...values })
      .onConflictDoUpdate({
        target: schoolConductSettings.schoolId,
        set: { ...values, updatedAt: new Date() },
      });
    const { schoolId: _, ...was } = before;
    await emitAudit(tx, ctx, {
      action: 'school.conduct_settings_changed',
      schoolId,
      subject: { type: 'school', id: schoolId, label: school.name },
      // Ids only: the DPO's email address is personal data, kept beside the chain.
      details: {
        before: { ...was, dpoEmail: was.dpoEmail ? 'set' : null },
        after: { ...values, dpoEmail: values.dpoEmail ? 'set' : null },
      },
      ...(values.dpoEmail ? { personal: { dpoEmail: values.dpoEmail } } : {}),
    });
  });
  return getConductSettings(ctx, schoolId);
}
