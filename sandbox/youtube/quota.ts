// YouTube's quota: each Cloud project (OAuth client) has a daily allowance of units (10,000 by
// default), every request costs units by method whether it succeeds or fails validation, and the
// allowance comes back at midnight Pacific time. A request over the allowance answers 403
// quotaExceeded and costs nothing.

/** units per call, from Google's quota table (developers.google.com/youtube/v3/determine_quota_cost) */
export const YOUTUBE_QUOTA_COSTS: Readonly<Record<string, number>> = {
  'commentThreads.list': 1,
  'commentThreads.insert': 50,
  'comments.list': 1,
  'comments.insert': 50,
  'comments.update': 50,
  'comments.delete': 50,
  'comments.setModerationStatus': 50,
  'comments.markAsSpam': 50,
  'channels.list': 1,
  'videos.list': 1,
  'search.list': 100,
};

/** the next midnight in America/Los_Angeles after `nowMs`, as a UTC instant */
export function nextPacificMidnight(nowMs: number): number {
  const parts = pacificParts(nowMs);
  let guess = Date.UTC(parts.year, parts.month - 1, parts.day + 1, 8);
  // Two corrections settle the offset across a daylight-saving change.
  for (let i = 0; i < 2; i += 1) {
    const p = pacificParts(guess);
    const wall = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
    const offset = wall - guess;
    guess = Date.UTC(parts.year, parts.month - 1, parts.day + 1) - offset;
  }
  return guess;
}

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

function pacificParts(ms: number) {
  const out: Record<string, number> = {};
  for (const part of FORMAT.formatToParts(new Date(ms))) {
    if (part.type !== 'literal') out[part.type] = Number(part.value);
  }
  return {
    year: out.year!,
    month: out.month!,
    day: out.day!,
    hour: out.hour!,
    minute: out.minute!,
    second: out.second!,
  };
}

interface ProjectDay {
  used: number;
  resetsAt: number;
  byMethod: Record<string, number>;
}

export class YouTubeQuota {
  private readonly projects = new Map<string, ProjectDay>();
  /** per-project allowance overrides (a test that wants a small quota) */
  private readonly limits = new Map<string, number>();

  constructor(
    private dailyDefault: number,
    private readonly now: () => number,
  ) {}

  private day(project: string): ProjectDay {
    const now = this.now();
    let day = this.projects.get(project);
    if (!day || now >= day.resetsAt) {
      day = { used: 0, resetsAt: nextPacificMidnight(now), byMethod: {} };
      this.projects.set(project, day);
    }
    return day;
  }

  limitOf(project: string): number {
    return this.limits.get(project) ?? this.dailyDefault;
  }

  /** charges the method's cost; false (and nothing charged) when the allowance would be exceeded */
  charge(project: string, method: string): boolean {
    const cost = YOUTUBE_QUOTA_COSTS[method] ?? 1;
    const day = this.day(project);
    if (day.used + cost > this.limitOf(project)) return false;
    day.used += cost;
    day.byMethod[method] = (day.byMethod[method] ?? 0) + cost;
    return true;
  }

  set(input: { project?: string; limit?: number; used?: number; dailyDefault?: number }): void {
    if (input.dailyDefault !== undefined) this.dailyDefault = input.dailyDefault;
    if (input.project === undefined) return;
    if (input.limit !== undefined) this.limits.set(input.project, input.limit);
    if (input.used !== undefined) this.day(input.project).used = input.used;
  }

  /** the day ends now for every project (as midnight Pacific does) */
  resetDay(): void {
    this.projects.clear();
  }

  snapshot(project: string) {
    const day = this.day(project);
    return {
      project,
      limit: this.limitOf(project),
      used: day.used,
      byMethod: { ...day.byMethod },
      resetsAt: new Date(day.resetsAt).toISOString(),
    };
  }
}
