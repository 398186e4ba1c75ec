import { randomBytes, randomUUID } from 'node:crypto';
import { inArray } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import {
  type AccountSettings,
  accountAdmins,
  comments,
  DEFAULT_ACCOUNT_SETTINGS,
  memberships,
  type NewComment,
  policyAcknowledgements,
  type SchoolRole,
  schools,
  socialAccounts,
  trusts,
  users,
} from '../../db/schema/index.js';

const suffix = () => randomBytes(3).toString('hex');

/** The policy version a test school has published unless a test says otherwise (P5). */
export const TEST_POLICY_VERSION = 'test-policy-1';

/** Records that the user acknowledged each school's current policy version (P5), as the policy page does. */
export async function acknowledgeCurrentPolicy(db: Database, userId: string, schoolIds: readonly string[]) {
  const unique = [...new Set(schoolIds)];
  if (!unique.length) return;
  const rows = await db
    .select({ id: schools.id, label: schools.policyVersionLabel })
    .from(schools)
    .where(inArray(schools.id, unique));
  const values = rows.flatMap((s) => (s.label ? [{ schoolId: s.id, userId, versionLabel: s.label }] : []));
  if (values.length) await db.insert(policyAcknowledgements).values(values).onConflictDoNothing();
}

export async function createTrust(db: Database, name = `Trust ${suffix()}`) {
  const [trust] = await db.insert(trusts).values({ name }).returning();
  return trust!;
}

export async function createSchool(
  db: Database,
  values: {
    trustId?: string;
    name?: string;
    timeZone?: string;
    calendar?: Record<string, unknown>;
    /** The published policy version (P5); null: none published yet. */
    policyVersionLabel?: string | null;
  } = {},
) {
  const policy = values.policyVersionLabel === undefined ? TEST_POLICY_VERSION : values.policyVersionLabel;
  const trustId = values.trustId ?? (await createTrust(db)).id;
  const [school] = await db
    .insert(schools)
    .values({
      trustId,
      name: values.name ?? `School ${suffix()}`,
      timeZone: values.timeZone ?? 'Europe/London',
      calendar: values.calendar ?? {},
      policyVersionLabel: policy,
      policyDocumentUrl: policy ? 'https://school.example/social-media-policy.pdf' : null,
      policyVersionAt: policy ? new Date() : null,
    })
    .returning();
  return school!;
}

export async function createUser(
  db: Database,
  values: {
    trustId: string;
    email?: string;
    displayName?: string;
    passwordHash?: string;
    roles?: { schoolId: string; role: SchoolRole }[];
    /** P5: acknowledge each school's current policy (default), as staff who reply and moderate have. */
    acknowledgePolicy?: boolean;
  },
) {
  const tag = suffix();
  const [user] = await db
    .insert(users)
    .values({
      trustId: values.trustId,
      email: values.email ?? `user-${tag}@school.test`,
      displayName: values.displayName ?? `User ${tag}`,
      passwordHash: values.passwordHash ?? null,
    })
    .returning();
  if (values.roles?.length) {
    await db.insert(memberships).values(values.roles.map((r) => ({ userId: user!.id, ...r })));
    if (values.acknowledgePolicy !== false) {
      await acknowledgeCurrentPolicy(
        db,
        user!.id,
        values.roles.map((r) => r.schoolId),
      );
    }
  }
  return user!;
}

export async function createAccount(
  db: Database,
  values: {
    schoolId: string;
    platform?: (typeof socialAccounts.$inferInsert)['platform'];
    handle?: string;
    platformUserId?: string;
    status?: (typeof socialAccounts.$inferInsert)['status'];
    credentialStatus?: (typeof socialAccounts.$inferInsert)['credentialStatus'];
    credentialsEncrypted?: string;
    adminIds?: string[];
    settings?: Partial<AccountSettings>;
  },
) {
  const tag = suffix();
  const [account] = await db
    .insert(socialAccounts)
    .values({
      schoolId: values.schoolId,
      platform: values.platform ?? 'x',
      handle: values.handle ?? `school_${tag}`,
      platformUserId: values.platformUserId ?? `${Date.now()}${Math.floor(Math.random() * 1e6)}`,
      status: values.status ?? 'active',
      credentialStatus: values.credentialStatus ?? 'valid',
      credentialsEncrypted: values.credentialsEncrypted ?? null,
      settings: { ...DEFAULT_ACCOUNT_SETTINGS, ...values.settings },
    })
    .returning();
  if (values.adminIds?.length) {
    await db.insert(accountAdmins).values(
      values.adminIds.map((userId) => ({
        accountId: account!.id,
        userId,
        trainingConfirmedAt: new Date(),
      })),
    );
    // An admin of the school's account has acknowledged its policy (P5), as activation requires.
    for (const userId of values.adminIds) await acknowledgeCurrentPolicy(db, userId, [values.schoolId]);
  }
  return account!;
}

export async function createComment(
  db: Database,
  values: { schoolId: string; accountId: string } & Partial<NewComment>,
) {
  const [comment] = await db
    .insert(comments)
    .values({
      platform: 'x',
      externalId: `${Date.now()}${randomUUID().slice(0, 8)}`,
      authorExternalId: '42',
      authorHandle: 'parent_of_three',
      authorName: 'A Parent',
      text: 'What time does the school fair start on Saturday?',
      postedAt: new Date(),
      ...values,
    })
    .returning();
  return comment!;
}
