import { randomBytes, randomUUID } from 'node:crypto';
import type { Database } from '../../db/client.js';
import {
  type AccountSettings,
  accountAdmins,
  comments,
  DEFAULT_ACCOUNT_SETTINGS,
  memberships,
  type NewComment,
  type SchoolRole,
  schools,
  socialAccounts,
  trusts,
  users,
} from '../../db/schema/index.js';

const suffix = () => randomBytes(3).toString('hex');

export async function createTrust(db: Database, name = `Trust ${suffix()}`) {
  const [trust] = await db.insert(trusts).values({ name }).returning();
  return trust!;
}

export async function createSchool(
  db: Database,
  values: { trustId?: string; name?: string; timeZone?: string; calendar?: Record<string, unknown> } = {},
) {
  const trustId = values.trustId ?? (await createTrust(db)).id;
  const [school] = await db
    .insert(schools)
    .values({
      trustId,
      name: values.name ?? `School ${suffix()}`,
      timeZone: values.timeZone ?? 'Europe/London',
      calendar: values.calendar ?? {},
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
