// YouTube's limit is a daily quota of units per Cloud project (10,000 by default), spent per call
// by method, that comes back at midnight Pacific time. Polling must never starve moderation: a
// hold, a release, a rejection or a reply costs 50 units, a page of comment threads 1.

/** units per call, from Google's quota table */
export const YOUTUBE_COSTS = {
  'commentThreads.list': 1,
  'comments.list': 1,
  'channels.list': 1,
  'comments.insert': 50,
  'comments.setModerationStatus': 50,
  'comments.delete': 50,
} as const;
export type YouTubeMethod = keyof typeof YOUTUBE_COSTS;

const FORMAT = new Intl.DateTimeFormat('en-US', {
  timeZone: 'America/Los_Angeles',
  hourCycle: 'h23',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});

function pacific(ms: number) {
  const out: Record<string, number> = {};
  for (const part of FORMAT.formatToParts(new Date(ms))) {
    if (part.type !== 'literal') out[part.type] = Number(part.value);
  }
  return out as { year: number; month: number; day: number; hour: number; minute: number; second: number };
}

/** the Pacific calendar day of an instant, '2026-12-04': the day a quota ledger is kept for */
export function pacificDay(ms: number): string {
  const p = pacific(ms);
  return `${p.year}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')}`;
}

/** the next midnight in America/Los_Angeles after `ms`: when the quota comes back */
export function nextPacificMidnight(ms: number): Date {
  const day = pacific(ms);
  const midnightAsUtc = Date.UTC(day.year, day.month - 1, day.day + 1);
  let guess = midnightAsUtc + 8 * 3_600_000;
  // Two corrections settle the offset across a daylight-saving change.
  for (let i = 0; i < 2; i += 1) {
    const p = pacific(guess);
    const offset = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - guess;
    guess = midnightAsUtc - offset;
  }
  return new Date(guess);
}

export interface QuotaPlanInput {
  /** the project's units per day */
  dailyQuota: number;
  /** YouTube accounts sharing the project (at least 1) */
  accounts: number;
  /** the share of each account's units kept for moderation and replies */
  reservePercent: number;
  /** units this account spent today (polls and actions) */
  usedToday: number;
  /** units an idle poll of this account costs (2: published and held threads, one page each) */
  unitsPerPoll: number;
  /** the configured poll interval: never poll more often */
  minIntervalSeconds: number;
  now: number;
}

export interface QuotaPlan {
  /** this account's share of the project's day */
  budget: number;
  /** of it, kept for moderation and replies */
  reserve: number;
  usedToday: number;
  /** units left for polling before the reserve is touched */
  pollUnitsLeft: number;
  intervalSeconds: number;
  resetsAt: Date;
  /** true when polling has spent its share: the next poll waits for the reset */
  pollingPaused: boolean;
}

/**
 * Spreads the polling units left today evenly over the hours left until the Pacific-midnight reset,
 * never more often than the configured interval, and never into the moderation reserve. Moderation
 * spends from what is left; polling stops at the reserve, so a hold or a rejection always has units.
 */
export function planQuota(input: QuotaPlanInput): QuotaPlan {
  const budget = Math.floor(input.dailyQuota / Math.max(1, input.accounts));
  const reserve = Math.ceil((budget * input.reservePercent) / 100);
  const resetsAt = nextPacificMidnight(input.now);
  const secondsLeft = Math.max(1, (resetsAt.getTime() - input.now) / 1000);
  const pollUnitsLeft = Math.max(0, budget - reserve - input.usedToday);
  const pollsLeft = Math.floor(pollUnitsLeft / Math.max(1, input.unitsPerPoll));
  if (pollsLeft === 0) {
    return {
      budget,
      reserve,
      usedToday: input.usedToday,
      pollUnitsLeft,
      intervalSeconds: Math.ceil(secondsLeft),
      resetsAt,
      pollingPaused: true,
    };
  }
  return {
    budget,
    reserve,
    usedToday: input.usedToday,
    pollUnitsLeft,
    intervalSeconds: Math.max(input.minIntervalSeconds, Math.ceil(secondsLeft / pollsLeft)),
    resetsAt,
    pollingPaused: false,
  };
}
