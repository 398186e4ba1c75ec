import { and, eq, sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { quotaUsage, socialAccounts } from '../../db/schema/index.js';
import type { PlatformName } from '../platforms/adapter.js';
import { pacificDay, planQuota, type QuotaPlan } from '../platforms/youtube/youtube-quota.js';

// A platform whose limit is a daily unit quota (YouTube) has each account's spend recorded per
// quota day, polls and actions alike; the poll interval is planned from it so that polling stops
// at the moderation reserve and a hold or a rejection always finds units left.

/** the installation's quota for YouTube, shared by every YouTube account (one Cloud project) */
export interface QuotaSettings {
  dailyQuota: number;
  reservePercent: number;
  /** never poll more often than this */
  minIntervalSeconds: number;
}

/** units an idle YouTube poll costs: one page of published and one of held-for-review threads */
export const YOUTUBE_IDLE_POLL_UNITS = 2;

export const hasUnitQuota = (platform: PlatformName) => platform === 'youtube';

export async function addQuotaUnits(
  db: Database,
  accountId: string,
  units: number,
  at = Date.now(),
): Promise<void> {
  if (units <= 0) return;
  await db
    .insert(quotaUsage)
    .values({ accountId, day: pacificDay(at), units })
    .onConflictDoUpdate({
      target: [quotaUsage.accountId, quotaUsage.day],
      set: { units: sql`${quotaUsage.units} + ${units}`, updatedAt: new Date() },
    });
}

export async function quotaUsedToday(db: Database, accountId: string, at = Date.now()): Promise<number> {
  const [row] = await db
    .select({ units: quotaUsage.units })
    .from(quotaUsage)
    .where(and(eq(quotaUsage.accountId, accountId), eq(quotaUsage.day, pacificDay(at))));
  return row?.units ?? 0;
}

/** this account's share of the day, what it spent, and how often it may be polled */
export async function accountQuotaPlan(
  db: Database,
  accountId: string,
  settings: QuotaSettings,
  at = Date.now(),
): Promise<QuotaPlan> {
  const [counted] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(socialAccounts)
    .where(and(eq(socialAccounts.platform, 'youtube'), eq(socialAccounts.status, 'active')));
  return planQuota({
    dailyQuota: settings.dailyQuota,
    accounts: Math.max(1, counted?.n ?? 1),
    reservePercent: settings.reservePercent,
    usedToday: await quotaUsedToday(db, accountId, at),
    unitsPerPoll: YOUTUBE_IDLE_POLL_UNITS,
    minIntervalSeconds: settings.minIntervalSeconds,
    now: at,
  });
}
