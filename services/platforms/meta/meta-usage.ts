import { z } from 'zod';
import { PlatformError, type RateLimitState } from '../adapter.js';

// Graph reports budgets as percentages of a rolling window in three headers:
//   X-App-Usage               {"call_count":28,"total_time":25,"total_cputime":25}
//   X-Page-Usage              the same, per Page (some answers add estimated_time_to_regain_access)
//   X-Business-Use-Case-Usage {"<object id>":[{"type":"pages","call_count":..,"total_cputime":..,
//                              "total_time":..,"estimated_time_to_regain_access":<minutes>}]}
// The highest percentage is the one that throttles. We stop before it: past `slowDownAt` a poll
// ends its walk after the current page and reports the budget as exhausted until the window has
// drained (the poll job then waits, never spins); past `refuseAt` a call is refused locally.

const percent = z.number().min(0).max(100_000);
const usage = z.looseObject({
  call_count: percent.optional(),
  total_time: percent.optional(),
  total_cputime: percent.optional(),
  estimated_time_to_regain_access: z.number().min(0).max(100_000).optional(),
});
const bucUsage = z.record(
  z.string().max(100),
  z.array(usage.extend({ type: z.string().max(100).optional() })).max(50),
);

export interface UsageReading {
  /** the highest percentage any header reports, 0 when none */
  percent: number;
  /** minutes Graph says until access comes back, 0 when none */
  regainMinutes: number;
}

type HeaderGetter = { get(name: string): string | null };

function parseJsonHeader<T>(schema: z.ZodType<T>, value: string | null): T | null {
  if (value === null || value.length > 16_384) return null;
  try {
    const result = schema.safeParse(JSON.parse(value));
    return result.success ? result.data : null;
  } catch {
    return null;
  }
}

function maxOf(u: z.infer<typeof usage>): number {
  return Math.max(u.call_count ?? 0, u.total_time ?? 0, u.total_cputime ?? 0);
}

/** Reads the three usage headers; a header that does not parse is ignored (it only informs pacing). */
export function readUsage(headers: HeaderGetter): UsageReading | null {
  const app = parseJsonHeader(usage, headers.get('x-app-usage'));
  const page = parseJsonHeader(usage, headers.get('x-page-usage'));
  const buc = parseJsonHeader(bucUsage, headers.get('x-business-use-case-usage'));
  if (app === null && page === null && buc === null) return null;
  let pct = 0;
  let regain = 0;
  for (const u of [app, page]) {
    if (u === null) continue;
    pct = Math.max(pct, maxOf(u));
    regain = Math.max(regain, u.estimated_time_to_regain_access ?? 0);
  }
  for (const entries of Object.values(buc ?? {})) {
    for (const u of entries) {
      pct = Math.max(pct, maxOf(u));
      regain = Math.max(regain, u.estimated_time_to_regain_access ?? 0);
    }
  }
  return { percent: pct, regainMinutes: regain };
}

export interface UsagePolicy {
  /** at or above this percentage a poll stops after the current page (default 80) */
  slowDownAt: number;
  /** at or above this percentage calls are refused locally (default 95) */
  refuseAt: number;
  /** how long to rest when Graph gives no estimate: the windows are a rolling hour */
  restMs: number;
}

export const DEFAULT_USAGE_POLICY: UsagePolicy = { slowDownAt: 80, refuseAt: 95, restMs: 5 * 60_000 };

/** The Graph budget as this adapter last saw it; one state for the whole token ('graph'). */
export class MetaUsage {
  private last: { reading: UsageReading; at: number } | null = null;
  private blockedUntil: number | null = null;

  constructor(
    private readonly now: () => number,
    private readonly policy: UsagePolicy = DEFAULT_USAGE_POLICY,
  ) {}

  record(reading: UsageReading | null): void {
    if (reading === null) return;
    this.last = { reading, at: this.now() };
    if (reading.percent >= this.policy.refuseAt || reading.regainMinutes > 0) {
      this.blockedUntil = this.restUntil(reading);
    }
  }

  /** After a throttling error: nothing is sent until `until`. */
  recordThrottled(until: Date): void {
    this.blockedUntil = Math.max(this.blockedUntil ?? 0, until.getTime());
  }

  regainAt(): Date | null {
    const reading = this.last?.reading;
    if (!reading || reading.regainMinutes <= 0) return null;
    return new Date(this.now() + reading.regainMinutes * 60_000);
  }

  assertAvailable(endpoint: string): void {
    if (this.blockedUntil === null || this.now() >= this.blockedUntil) return;
    throw new PlatformError(
      'rate_limited',
      `${endpoint}: the Graph budget is nearly spent (known locally, not called)`,
      {
        endpoint,
        resetAt: new Date(this.blockedUntil),
      },
    );
  }

  /** True when a poll should stop after the page it has: the budget is past `slowDownAt`. */
  shouldSlowDown(): boolean {
    const reading = this.last?.reading;
    return reading !== undefined && (reading.percent >= this.policy.slowDownAt || reading.regainMinutes > 0);
  }

  private restUntil(reading: UsageReading): number {
    const byGraph = reading.regainMinutes > 0 ? reading.regainMinutes * 60_000 : 0;
    return this.now() + Math.max(byGraph, this.policy.restMs);
  }

  /**
   * As a RateLimitState in percent: limit 100, remaining 100 - usage. Past `slowDownAt` remaining
   * is 0 with resetAt when the poll may go on, so the poll job records the wait on the account.
   */
  state(endpoint: string): RateLimitState | null {
    if (this.last === null) return null;
    const { reading } = this.last;
    if (this.shouldSlowDown()) {
      return { endpoint, limit: 100, remaining: 0, resetAt: new Date(this.restUntil(reading)) };
    }
    return {
      endpoint,
      limit: 100,
      remaining: Math.max(0, Math.floor(100 - reading.percent)),
      resetAt: new Date(this.last.at + 60 * 60_000),
    };
  }
}
