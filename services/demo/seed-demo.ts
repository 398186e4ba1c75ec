import { and, eq } from 'drizzle-orm';
import type { Config } from '../../config/load-config.js';
import type { Database } from '../../db/client.js';
import {
  accountAdmins,
  memberships,
  policyAcknowledgements,
  type SchoolRole,
  schoolConductSettings,
  schools,
  socialAccounts,
  trusts,
  users,
} from '../../db/schema/index.js';
import type { Sandbox } from '../../sandbox/server.js';
import { sealCredentials } from '../accounts/account-credentials.js';
import { emitAudit } from '../audit/emit-audit.js';
import { hashPassword } from '../auth/hash-password.js';
import { systemActor } from '../core/actor.js';
import type { Credentials, PlatformName } from '../platforms/adapter.js';

export const DEMO_HANDLE = 'oakfield_primary';
export const DEMO_POLICY_VERSION = '2026-09 (Connect Academy Trust model policy)';

export interface DemoPerson {
  role: string;
  email: string;
  password: string;
  displayName: string;
}

const PEOPLE: { key: string; displayName: string; roles: SchoolRole[]; admin?: boolean; label: string }[] = [
  { key: 'comms', displayName: 'Priya Shah', roles: ['comms'], label: 'comms staff' },
  { key: 'admin1', displayName: 'Tom Okafor', roles: ['comms'], admin: true, label: 'account admin' },
  { key: 'admin2', displayName: 'Grace Lee', roles: ['comms'], admin: true, label: 'account admin (second)' },
  { key: 'head', displayName: 'Helen Marsh', roles: ['senior_leader'], label: 'senior leader' },
  { key: 'dsl', displayName: 'David Reyes', roles: ['safeguarding_lead'], label: 'safeguarding lead' },
  { key: 'auditor', displayName: 'Amina Noor', roles: ['auditor'], label: 'auditor' },
  { key: 'trustadmin', displayName: 'Sam Carter', roles: ['trust_admin'], label: 'trust admin' },
];

/**
 * A demo trust with one school, a person for each role, and approved, connected, active accounts
 * on the sandbox — an X account, a Facebook Page and its Instagram business account — each with
 * its two admins. Safe to run again on an existing demo database: it finds what is there and adds
 * what is missing (a database from before Facebook gets the Meta accounts). The sandbox keeps its
 * state in memory, so every account is re-connected to it on every run.
 */
export async function seedDemo(db: Database, config: Config, sandbox: Sandbox, password: string) {
  let [trust] = await db.select().from(trusts).where(eq(trusts.name, 'Demo Learning Trust'));
  trust ??= (await db.insert(trusts).values({ name: 'Demo Learning Trust' }).returning())[0]!;
  let [school] = await db.select().from(schools).where(eq(schools.trustId, trust.id));
  school ??= (
    await db
      .insert(schools)
      .values({
        trustId: trust.id,
        name: 'Oakfield Primary School',
        policyVersionLabel: DEMO_POLICY_VERSION,
        policyDocumentUrl: 'https://example.org/oakfield/social-media-policy.pdf',
        policyVersionAt: new Date(),
        // Published on the school's website: replies may give them out (the outgoing check knows them).
        contactDetails: {
          emails: ['office@oakfield.sch.uk'],
          phones: ['01632 960000'],
          address: '1 School Lane, Oakfield OF1 1AA',
          website: 'https://www.oakfield.sch.uk',
        },
      })
      .returning()
  )[0]!;

  const passwordHash = await hashPassword(password);
  const people: DemoPerson[] = [];
  const ids: Record<string, string> = {};
  for (const person of PEOPLE) {
    const email = `${person.key}@oakfield.demo`;
    let [user] = await db
      .select()
      .from(users)
      .where(and(eq(users.trustId, trust.id), eq(users.email, email)));
    user ??= (
      await db
        .insert(users)
        .values({ trustId: trust.id, email, displayName: person.displayName, passwordHash })
        .returning()
    )[0]!;
    await db.update(users).set({ passwordHash, disabledAt: null }).where(eq(users.id, user.id));
    for (const role of person.roles) {
      await db
        .insert(memberships)
        .values({ userId: user.id, schoolId: school.id, role })
        .onConflictDoNothing();
    }
    await db
      .insert(policyAcknowledgements)
      .values({ schoolId: school.id, userId: user.id, versionLabel: DEMO_POLICY_VERSION })
      .onConflictDoNothing();
    ids[person.key] = user.id;
    people.push({ role: person.label, email, password, displayName: person.displayName });
  }
  // P6: the demo's senior leader is the headteacher, who approves replies to media enquiries.
  await db
    .insert(schoolConductSettings)
    .values({ schoolId: school.id, headteacherId: ids.head! })
    .onConflictDoNothing();

  const sandboxUser = sandbox.state.createAccount({ username: DEMO_HANDLE, name: 'Oakfield Primary' });
  const issued = sandbox.state.issueToken(sandboxUser.id, { clientId: config.x.clientId, ttlSeconds: 7_200 });
  const ensure = (input: Omit<DemoAccountInput, 'schoolId' | 'ids'>) =>
    ensureDemoAccount(db, config, { ...input, schoolId: school.id, ids });
  const account = await ensure({
    platform: 'x',
    handle: DEMO_HANDLE,
    label: `@${DEMO_HANDLE} on X`,
    platformUserId: sandboxUser.id,
    credentials: {
      accessToken: issued.accessToken,
      refreshToken: issued.refreshToken,
      expiresAt: issued.expiresAt,
    },
  });

  // Facebook and Instagram: the sandbox keeps its state in memory, so the Page (with fixed ids, so
  // the rows stored on an earlier run still match) is made again on every run, with a fresh token.
  const page =
    sandbox.meta.state.page(DEMO_PAGE_ID) ??
    sandbox.meta.state.createPage({
      id: DEMO_PAGE_ID,
      name: DEMO_PAGE_NAME,
      admins: ['Tom Okafor'],
      instagram: { username: DEMO_HANDLE, id: DEMO_IG_ID, name: DEMO_PAGE_NAME },
    });
  const pageToken = sandbox.meta.state.issuePageToken(page.id).token;
  const facebook = await ensure({
    platform: 'facebook',
    handle: DEMO_PAGE_NAME,
    label: `${DEMO_PAGE_NAME} on Facebook`,
    platformUserId: page.id,
    credentials: { accessToken: pageToken },
  });
  const instagram = await ensure({
    platform: 'instagram',
    handle: DEMO_HANDLE,
    label: `@${DEMO_HANDLE} on Instagram`,
    platformUserId: page.igUserId ?? DEMO_IG_ID,
    credentials: { accessToken: pageToken },
  });
  // Bluesky: the actor's DID comes from its handle, so a restarted sandbox makes the same one; the
  // app password and session are new each run.
  const bsky = sandbox.bluesky.state.addActor({
    handle: DEMO_BLUESKY_HANDLE,
    displayName: 'Oakfield Primary',
    appPassword: '',
  });
  const bskySession = sandbox.bluesky.state.createSession(DEMO_BLUESKY_HANDLE, bsky.appPassword!);
  const bluesky = await ensure({
    platform: 'bluesky',
    handle: DEMO_BLUESKY_HANDLE,
    label: `@${DEMO_BLUESKY_HANDLE} on Bluesky`,
    platformUserId: bsky.actor.did,
    credentials: {
      accessToken: bskySession.accessJwt,
      refreshToken: bskySession.refreshJwt,
      secret: bsky.appPassword!,
    },
  });
  return { trust, school, account, facebook, instagram, bluesky, page, people, sandboxUser };
}

export const DEMO_BLUESKY_HANDLE = 'oakfieldprimary.bsky.social';

/** The demo's fixed Meta ids: a restarted sandbox recreates the same Page and Instagram account. */
export const DEMO_PAGE_ID = '104857600000001';
export const DEMO_IG_ID = '17841400000000001';
export const DEMO_PAGE_NAME = 'Oakfield Primary School';

interface DemoAccountInput {
  schoolId: string;
  ids: Record<string, string>;
  platform: PlatformName;
  handle: string;
  label: string;
  platformUserId: string;
  credentials: Credentials;
}

/**
 * One approved, connected, active account with the two demo admins. An account already in the
 * demo database (found by platform and handle) gets the new run's platform id and credentials.
 */
async function ensureDemoAccount(db: Database, config: Config, input: DemoAccountInput) {
  const { ids } = input;
  let [account] = await db
    .select()
    .from(socialAccounts)
    .where(
      and(
        eq(socialAccounts.schoolId, input.schoolId),
        eq(socialAccounts.platform, input.platform),
        eq(socialAccounts.handle, input.handle),
      ),
    );
  const fresh = !account;
  const values = {
    platformUserId: input.platformUserId,
    credentialsEncrypted: sealCredentials(config.encryptionKey, input.credentials),
    credentialsExpiresAt: input.credentials.expiresAt ?? null,
    credentialStatus: 'valid' as const,
    status: 'active' as const,
    activatedAt: new Date(),
    cursor: null,
    rateLimitedUntil: null,
    pollLeaseUntil: null,
  };
  if (account) {
    await db.update(socialAccounts).set(values).where(eq(socialAccounts.id, account.id));
  } else {
    account = (
      await db
        .insert(socialAccounts)
        .values({
          schoolId: input.schoolId,
          platform: input.platform,
          handle: input.handle,
          purpose: 'News, events and celebrations for families',
          audience: 'Parents, carers and the local community',
          proposedBy: ids.comms!,
          decidedBy: ids.head!,
          decisionNote: 'Approved for the demo: two trained admins, policy acknowledged.',
          decidedAt: new Date(),
          reviewDueAt: new Date(Date.now() + 365 * 86_400_000),
          ...values,
        })
        .returning()
    )[0]!;
    await db.insert(accountAdmins).values([
      { accountId: account.id, userId: ids.admin1!, addedBy: ids.head!, trainingConfirmedAt: new Date() },
      { accountId: account.id, userId: ids.admin2!, addedBy: ids.head!, trainingConfirmedAt: new Date() },
    ]);
  }
  if (fresh) {
    await db.transaction((tx) =>
      emitAudit(tx, { actor: systemActor('demo seed') }, [
        {
          action: 'account.activated',
          schoolId: input.schoolId,
          subject: { type: 'account', id: account!.id, label: input.label },
          details: { note: 'Seeded for the demo as approved, connected and active' },
        },
      ]),
    );
  }
  return account!;
}
