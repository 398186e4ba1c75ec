import { and, eq, inArray, isNull } from 'drizzle-orm';
import { z } from 'zod';
import type { Queryable } from '../../db/client.js';
import {
  ACCOUNT_STATUSES,
  accountAdmins,
  CREDENTIAL_STATUSES,
  memberships,
  PLATFORMS,
  policyAcknowledgements,
  RISK_REASONS,
  type SocialAccount,
  schools,
  users,
} from '../../db/schema/index.js';
import { accountLabel } from './account-label.js';
import { peopleRisksOf, schoolsWithSafeguardingLead } from './account-risks.js';

/** A new policy version gives admins this long to re-acknowledge before the account is at risk (P5). */
export const REACKNOWLEDGE_DAYS = 14;
/** Reviews falling due within this many days are shown, and reminded, as due soon. */
export const REVIEW_NOTICE_DAYS = 30;
const DAY_MS = 24 * 60 * 60 * 1000;

const REVIEWABLE = new Set(['approved', 'connected', 'active', 'suspended']);

export const accountSettingsSchema = z.object({
  offensiveThreshold: z.enum(['low', 'medium', 'high']),
  autoHide: z.boolean(),
  twoAdminHide: z.boolean(),
  pollIntervalSeconds: z.number().int().optional(),
  conversationBackstop: z.boolean(),
  proposalExpiryHours: z.number(),
});

const when = z.string().nullable();

/** What every account endpoint answers: never the credentials, only whether they work. */
export const accountViewSchema = z.object({
  id: z.uuid(),
  schoolId: z.uuid(),
  label: z.string(),
  platform: z.enum(PLATFORMS),
  handle: z.string(),
  platformUserId: z.string().nullable(),
  status: z.enum(ACCOUNT_STATUSES),
  purpose: z.string(),
  audience: z.string(),
  settings: accountSettingsSchema,
  credentialStatus: z.enum(CREDENTIAL_STATUSES),
  proposedBy: z.uuid().nullable(),
  decidedBy: z.uuid().nullable(),
  decisionNote: z.string().nullable(),
  decidedAt: when,
  reviewDueAt: when,
  lastPolledAt: when,
  lastPollError: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  admins: z.array(
    z.object({
      userId: z.uuid(),
      displayName: z.string(),
      trainingConfirmedAt: when,
      acknowledgedCurrentPolicy: z.boolean(),
    }),
  ),
  governance: z.object({
    policyVersionLabel: z.string().nullable(),
    policyVersionAt: when,
    acknowledgedAdmins: z.number().int(),
    unacknowledged: z.array(
      z.object({ userId: z.uuid(), displayName: z.string(), as: z.enum(['admin', 'comms']) }),
    ),
    /** Empty when the account could be activated now. */
    activationBlockers: z.array(z.string()),
    reviewOverdue: z.boolean(),
    reviewDueSoon: z.boolean(),
    atRisk: z.boolean(),
    /** P4/P8: short of working admins or of a safeguarding lead; red once overdue. */
    peopleRisk: z
      .object({
        reasons: z.array(z.enum(RISK_REASONS)),
        since: z.string(),
        dueAt: z.string(),
        overdue: z.boolean(),
      })
      .nullable(),
  }),
});
export type AccountView = z.infer<typeof accountViewSchema>;

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/**
 * Accounts with their admins and governance status, in six queries however many accounts:
 * who has acknowledged the school's current policy, whether a review is due, whether it is at risk.
 */
export async function describeAccounts(
  db: Queryable,
  accounts: readonly SocialAccount[],
  now: Date = new Date(),
): Promise<AccountView[]> {
  if (accounts.length === 0) return [];
  const accountIds = accounts.map((a) => a.id);
  const schoolIds = [...new Set(accounts.map((a) => a.schoolId))];
  // One after another: inside a transaction the queries share one connection.
  const adminRows = await db
    .select({
      accountId: accountAdmins.accountId,
      userId: accountAdmins.userId,
      displayName: users.displayName,
      trainingConfirmedAt: accountAdmins.trainingConfirmedAt,
    })
    .from(accountAdmins)
    .innerJoin(users, eq(users.id, accountAdmins.userId))
    .where(and(inArray(accountAdmins.accountId, accountIds), isNull(users.disabledAt)))
    .orderBy(accountAdmins.createdAt);
  const schoolRows = await db
    .select({
      id: schools.id,
      label: schools.policyVersionLabel,
      at: schools.policyVersionAt,
    })
    .from(schools)
    .where(inArray(schools.id, schoolIds));
  const commsRows = await db
    .selectDistinct({ schoolId: memberships.schoolId, userId: users.id, displayName: users.displayName })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(
      and(inArray(memberships.schoolId, schoolIds), eq(memberships.role, 'comms'), isNull(users.disabledAt)),
    );
  const ackRows = await db
    .select({
      schoolId: policyAcknowledgements.schoolId,
      userId: policyAcknowledgements.userId,
      versionLabel: policyAcknowledgements.versionLabel,
    })
    .from(policyAcknowledgements)
    .innerJoin(schools, eq(schools.id, policyAcknowledgements.schoolId))
    .where(
      and(
        inArray(policyAcknowledgements.schoolId, schoolIds),
        eq(policyAcknowledgements.versionLabel, schools.policyVersionLabel),
      ),
    );
  const risks = await peopleRisksOf(db, accountIds, now);
  const withLead = await schoolsWithSafeguardingLead(db, schoolIds);
  const policyOf = new Map(schoolRows.map((s) => [s.id, s]));
  const acknowledged = new Set(ackRows.map((a) => `${a.schoolId}/${a.userId}`));

  return accounts.map((account) => {
    const policy = policyOf.get(account.schoolId);
    const hasAcked = (userId: string) => !!policy?.label && acknowledged.has(`${account.schoolId}/${userId}`);
    const admins = adminRows
      .filter((a) => a.accountId === account.id)
      .map((a) => ({
        userId: a.userId,
        displayName: a.displayName,
        trainingConfirmedAt: iso(a.trainingConfirmedAt),
        acknowledgedCurrentPolicy: hasAcked(a.userId),
      }));
    const adminIds = new Set(admins.map((a) => a.userId));
    const unacknowledged = [
      ...admins
        .filter((a) => !a.acknowledgedCurrentPolicy)
        .map((a) => ({ userId: a.userId, displayName: a.displayName, as: 'admin' as const })),
      ...commsRows
        .filter((c) => c.schoolId === account.schoolId && !adminIds.has(c.userId) && !hasAcked(c.userId))
        .map((c) => ({ userId: c.userId, displayName: c.displayName, as: 'comms' as const })),
    ];
    const acknowledgedAdmins = admins.filter((a) => a.acknowledgedCurrentPolicy).length;

    const governed = REVIEWABLE.has(account.status);
    const due = account.reviewDueAt;
    const reviewOverdue = governed && !!due && due.getTime() <= now.getTime();
    const blockers: string[] = [];
    if (account.status !== 'connected' && account.status !== 'suspended') {
      blockers.push(
        `the account is ${account.status}; only a connected or suspended account can be activated`,
      );
    }
    if (account.credentialStatus === 'none') {
      blockers.push(
        'the account has not been connected to the platform yet: an account admin presses Connect',
      );
    } else if (account.credentialStatus !== 'valid') {
      blockers.push('the platform no longer accepts its sign-in: an account admin must reconnect it');
    }
    if (admins.length < 2) blockers.push('an account needs at least two admins');
    if (!policy?.label) blockers.push('the school has not recorded its social media policy version');
    else if (acknowledgedAdmins < 2) {
      blockers.push(`at least two admins must acknowledge policy version ${policy.label}`);
    }
    if (!withLead.has(account.schoolId)) {
      blockers.push('the school has no safeguarding lead: a trust admin must name one first');
    }
    if (reviewOverdue)
      blockers.push("the approval's review is overdue; a senior leader must review it first");

    const reviewDueSoon =
      governed && !!due && !reviewOverdue && due.getTime() <= now.getTime() + REVIEW_NOTICE_DAYS * DAY_MS;
    const graceOver = !!policy?.at && now.getTime() - policy.at.getTime() > REACKNOWLEDGE_DAYS * DAY_MS;
    const peopleRisk = risks.get(account.id) ?? null;
    const atRisk =
      (governed && graceOver && admins.some((a) => !a.acknowledgedCurrentPolicy)) || peopleRisk !== null;

    return {
      id: account.id,
      schoolId: account.schoolId,
      label: accountLabel(account),
      platform: account.platform,
      handle: account.handle,
      platformUserId: account.platformUserId,
      status: account.status,
      purpose: account.purpose,
      audience: account.audience,
      settings: account.settings,
      credentialStatus: account.credentialStatus,
      proposedBy: account.proposedBy,
      decidedBy: account.decidedBy,
      decisionNote: account.decisionNote,
      decidedAt: iso(account.decidedAt),
      reviewDueAt: iso(account.reviewDueAt),
      lastPolledAt: iso(account.lastPolledAt),
      lastPollError: account.lastPollError,
      createdAt: account.createdAt.toISOString(),
      updatedAt: account.updatedAt.toISOString(),
      admins,
      governance: {
        policyVersionLabel: policy?.label ?? null,
        policyVersionAt: iso(policy?.at ?? null),
        acknowledgedAdmins,
        unacknowledged,
        activationBlockers: blockers,
        reviewOverdue,
        reviewDueSoon,
        atRisk,
        peopleRisk,
      },
    };
  });
}

export async function describeAccount(
  db: Queryable,
  account: SocialAccount,
  now: Date = new Date(),
): Promise<AccountView> {
  const [view] = await describeAccounts(db, [account], now);
  return view!;
}
