import { and, eq, inArray, isNull } from 'drizzle-orm';
import type { Queryable, Transaction } from '../../db/client.js';
import {
  accountAdmins,
  accountRisks,
  memberships,
  type RiskReason,
  type SchoolPeopleSettings,
  type SocialAccount,
  schoolPeopleSettings,
  socialAccounts,
  users,
} from '../../db/schema/index.js';
import { emitAudit } from '../audit/emit-audit.js';
import type { ServiceContext } from '../core/service-context.js';
import { preconditionFailed } from '../core/service-error.js';
import { notifyUsers } from '../notifications/notify-users.js';
import { fallbackNote, recipientChain } from '../notifications/recipient-chain.js';
import { accountLabel } from './account-label.js';

export const MINIMUM_WORKING_ADMINS = 2;
const DAY_MS = 24 * 60 * 60 * 1000;

export type PeopleSettings = Omit<SchoolPeopleSettings, 'updatedAt'>;

export const DEFAULT_PEOPLE_SETTINGS: Omit<PeopleSettings, 'schoolId'> = {
  shortfallMode: 'refuse',
  replacementDays: 5,
  behaviourLeadId: null,
};

export async function loadPeopleSettings(db: Queryable, schoolId: string): Promise<PeopleSettings> {
  const [row] = await db
    .select()
    .from(schoolPeopleSettings)
    .where(eq(schoolPeopleSettings.schoolId, schoolId));
  if (!row) return { schoolId, ...DEFAULT_PEOPLE_SETTINGS };
  const { updatedAt: _, ...settings } = row;
  return settings;
}

export const RISK_WORDS: Record<RiskReason, string> = {
  too_few_admins: `fewer than ${MINIMUM_WORKING_ADMINS} working admins`,
  no_safeguarding_lead: 'no safeguarding lead at the school',
};

/** Schools with at least one enabled safeguarding lead. */
export async function schoolsWithSafeguardingLead(
  db: Queryable,
  schoolIds: readonly string[],
): Promise<Set<string>> {
  if (!schoolIds.length) return new Set();
  const rows = await db
    .selectDistinct({ schoolId: memberships.schoolId })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(
      and(
        inArray(memberships.schoolId, [...schoolIds]),
        eq(memberships.role, 'safeguarding_lead'),
        isNull(users.disabledAt),
      ),
    );
  return new Set(rows.map((r) => r.schoolId));
}

/**
 * Working admins per account: enabled, and still on the school's staff (someone whose last role at
 * the school was revoked has left it, whatever the admin list says).
 */
export async function workingAdminCounts(db: Queryable, accounts: readonly SocialAccount[]) {
  const counts = new Map<string, number>(accounts.map((a) => [a.id, 0]));
  if (!accounts.length) return counts;
  const rows = await db
    .selectDistinct({ accountId: accountAdmins.accountId, userId: accountAdmins.userId })
    .from(accountAdmins)
    .innerJoin(socialAccounts, eq(socialAccounts.id, accountAdmins.accountId))
    .innerJoin(users, eq(users.id, accountAdmins.userId))
    .innerJoin(
      memberships,
      and(eq(memberships.userId, accountAdmins.userId), eq(memberships.schoolId, socialAccounts.schoolId)),
    )
    .where(
      and(
        inArray(
          accountAdmins.accountId,
          accounts.map((a) => a.id),
        ),
        isNull(users.disabledAt),
      ),
    );
  for (const r of rows) counts.set(r.accountId, (counts.get(r.accountId) ?? 0) + 1);
  return counts;
}

/** What each active account of these schools is short of now (empty: nothing). */
async function currentShortfalls(db: Queryable, schoolIds: readonly string[], lock = false) {
  const query = db
    .select()
    .from(socialAccounts)
    .where(and(inArray(socialAccounts.schoolId, [...schoolIds]), eq(socialAccounts.status, 'active')))
    .orderBy(socialAccounts.id);
  // Locked before the change: two changes at once cannot each see the other's admin still there.
  const active = lock ? await query.for('update') : await query;
  const admins = await workingAdminCounts(db, active);
  const withLead = await schoolsWithSafeguardingLead(db, schoolIds);
  return active.map((account) => {
    const reasons: RiskReason[] = [];
    if ((admins.get(account.id) ?? 0) < MINIMUM_WORKING_ADMINS) reasons.push('too_few_admins');
    if (!withLead.has(account.schoolId)) reasons.push('no_safeguarding_lead');
    return { account, reasons, workingAdmins: admins.get(account.id) ?? 0 };
  });
}

export interface RiskChange {
  opened: { accountId: string; label: string; reasons: RiskReason[]; dueAt: Date }[];
  cleared: string[];
}

export interface ShortfallWatch {
  /** After the change, in the same transaction: refuse it, or record what it left short. */
  settle(ctx: Pick<ServiceContext, 'actor' | 'requestId'>, change: string): Promise<RiskChange>;
}

/**
 * P4 and P8, around any change to who works on an account (a person disabled or enabled, a role
 * granted or revoked, an admin added, removed or handed over, an account activated or stood down),
 * in the caller's transaction: call before the change, settle after it. Where the change leaves an
 * active account short of people it was not short of before, a school that refuses (the default)
 * refuses the change: the transaction rolls back with a message naming what is missing. A school
 * that allows it records the account at risk, with a replacement due in its set number of days,
 * and tells its senior leaders (or whoever the fallback chain reaches). A shortfall made good
 * clears the record.
 */
export async function watchShortfalls(
  tx: Transaction,
  schoolIds: readonly string[],
): Promise<ShortfallWatch> {
  const unique = [...new Set(schoolIds)];
  const before = unique.length ? await currentShortfalls(tx, unique, true) : [];
  const beforeOf = new Map(before.map((s) => [s.account.id, s.reasons]));
  return {
    settle: (ctx, change) => settleShortfalls(tx, ctx, unique, beforeOf, change),
  };
}

async function settleShortfalls(
  tx: Transaction,
  ctx: Pick<ServiceContext, 'actor' | 'requestId'>,
  unique: string[],
  beforeOf: Map<string, RiskReason[]>,
  change: string,
): Promise<RiskChange> {
  const result: RiskChange = { opened: [], cleared: [] };
  if (!unique.length) return result;
  const now = new Date();
  const shortfalls = await currentShortfalls(tx, unique);
  const existing = await tx.select().from(accountRisks).where(inArray(accountRisks.schoolId, unique));
  const existingOf = new Map(existing.map((r) => [r.accountId, r]));
  const settingsOf = new Map<string, PeopleSettings>();
  for (const schoolId of unique) settingsOf.set(schoolId, await loadPeopleSettings(tx, schoolId));

  const refused: string[] = [];
  const opened: { s: (typeof shortfalls)[number]; reasons: RiskReason[] }[] = [];
  for (const s of shortfalls) {
    const row = existingOf.get(s.account.id);
    // Caused by this change: short now, not short before (an account just activated was not live).
    const was = beforeOf.get(s.account.id) ?? [];
    const fresh = s.reasons.filter((r) => !was.includes(r) && !row?.reasons.includes(r));
    if (!fresh.length) continue;
    if (settingsOf.get(s.account.schoolId)!.shortfallMode === 'refuse') {
      const what = fresh.map((r) =>
        r === 'too_few_admins'
          ? `${s.workingAdmins} working admin${s.workingAdmins === 1 ? '' : 's'} (it needs ${MINIMUM_WORKING_ADMINS})`
          : RISK_WORDS[r],
      );
      refused.push(`${accountLabel(s.account)} would have ${what.join(' and ')}`);
    } else opened.push({ s, reasons: [...new Set([...(row?.reasons ?? []), ...fresh])] });
  }
  if (refused.length) {
    throw preconditionFailed(
      `${change} is refused: ${refused.join('; ')}. Name a replacement first, or let the school put accounts at risk with a replacement deadline (school settings, "People the policy requires").`,
      { shortfalls: refused },
    );
  }

  for (const { s, reasons } of opened) {
    const row = existingOf.get(s.account.id);
    const label = accountLabel(s.account);
    const days = settingsOf.get(s.account.schoolId)!.replacementDays;
    const dueAt = row?.dueAt ?? new Date(now.getTime() + days * DAY_MS);
    await tx
      .insert(accountRisks)
      .values({ accountId: s.account.id, schoolId: s.account.schoolId, reasons, since: now, dueAt })
      .onConflictDoUpdate({ target: accountRisks.accountId, set: { reasons } });
    await emitAudit(tx, ctx, {
      action: 'account.at_risk',
      schoolId: s.account.schoolId,
      subject: { type: 'account', id: s.account.id, label },
      details: { reasons, workingAdmins: s.workingAdmins, dueAt: dueAt.toISOString(), change },
    });
    result.opened.push({ accountId: s.account.id, label, reasons, dueAt });
  }
  // One notification per school, to its senior leaders (or whoever the chain reaches next).
  for (const schoolId of unique) {
    const mine = opened.filter((o) => o.s.account.schoolId === schoolId);
    if (!mine.length) continue;
    const to = await recipientChain(tx, schoolId, ['senior_leader']);
    const days = settingsOf.get(schoolId)!.replacementDays;
    const list = mine
      .map((o) => `${accountLabel(o.s.account)} with ${o.reasons.map((r) => RISK_WORDS[r]).join(' and ')}`)
      .join('; ');
    const first = mine[0]!.s.account;
    await notifyUsers(tx, {
      schoolId,
      userIds: to.userIds,
      event: 'account.at_risk',
      urgency: 'urgent',
      title: mine.length === 1 ? `${accountLabel(first)} is at risk` : `${mine.length} accounts are at risk`,
      body: `${change} left ${list}. Name a replacement within ${days} day${days === 1 ? '' : 's'}; after that the account is shown in red everywhere.${to.fallback ? ` ${fallbackNote(to.via, 'senior leader')}` : ''}`,
      link: mine.length === 1 ? `/accounts/${first.id}` : '/accounts',
      subject: { type: 'account', id: first.id },
    });
  }

  // Shortfalls made good, or reasons that went away.
  const stillShort = new Map(shortfalls.filter((s) => s.reasons.length).map((s) => [s.account.id, s]));
  for (const row of existing) {
    if (opened.some((o) => o.s.account.id === row.accountId)) continue;
    const short = stillShort.get(row.accountId);
    const kept = short ? row.reasons.filter((r) => short.reasons.includes(r)) : [];
    if (kept.length) {
      if (kept.length !== row.reasons.length) {
        await tx.update(accountRisks).set({ reasons: kept }).where(eq(accountRisks.accountId, row.accountId));
      }
      continue;
    }
    await tx.delete(accountRisks).where(eq(accountRisks.accountId, row.accountId));
    const [account] = await tx.select().from(socialAccounts).where(eq(socialAccounts.id, row.accountId));
    await emitAudit(tx, ctx, {
      action: 'account.risk_cleared',
      schoolId: row.schoolId,
      subject: { type: 'account', id: row.accountId, label: account ? accountLabel(account) : row.accountId },
      details: { reasons: row.reasons, since: row.since.toISOString(), change },
    });
    result.cleared.push(row.accountId);
  }
  return result;
}

export interface PeopleRiskView {
  reasons: RiskReason[];
  since: string;
  dueAt: string;
  /** Past its replacement deadline: shown in red everywhere. */
  overdue: boolean;
}

export async function peopleRisksOf(
  db: Queryable,
  accountIds: readonly string[],
  now: Date = new Date(),
): Promise<Map<string, PeopleRiskView>> {
  if (!accountIds.length) return new Map();
  const rows = await db
    .select()
    .from(accountRisks)
    .where(inArray(accountRisks.accountId, [...accountIds]));
  return new Map(
    rows.map((r) => [
      r.accountId,
      {
        reasons: r.reasons,
        since: r.since.toISOString(),
        dueAt: r.dueAt.toISOString(),
        overdue: r.dueAt.getTime() <= now.getTime(),
      },
    ]),
  );
}

/** The accounts at risk in these schools, soonest deadline first (the inbox header, P4/P8). */
export async function listAccountRisks(db: Queryable, schoolIds: readonly string[], now: Date = new Date()) {
  if (!schoolIds.length) return [];
  const rows = await db
    .select({ risk: accountRisks, account: socialAccounts })
    .from(accountRisks)
    .innerJoin(socialAccounts, eq(socialAccounts.id, accountRisks.accountId))
    .where(inArray(accountRisks.schoolId, [...schoolIds]))
    .orderBy(accountRisks.dueAt);
  return rows.map(({ risk, account }) => ({
    accountId: account.id,
    label: accountLabel(account),
    reasons: risk.reasons,
    dueAt: risk.dueAt.toISOString(),
    overdue: risk.dueAt.getTime() <= now.getTime(),
  }));
}
