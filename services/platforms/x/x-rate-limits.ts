import type { TwitterRateLimit } from 'twitter-api-v2';
import { PlatformError, type RateLimitState } from '../adapter.js';

/**
 * Per-endpoint budgets as X last reported them. An endpoint known to be exhausted is refused
 * locally until its reset, so a poller never spends a request it knows will get a 429.
 */
export class XRateLimits {
  private readonly byEndpoint = new Map<string, RateLimitState>();

  constructor(private readonly now: () => number) {}

  assertAvailable(endpoint: string): void {
    const state = this.byEndpoint.get(endpoint);
    if (!state || state.remaining > 0) return;
    if (this.now() >= state.resetAt.getTime()) return;
    throw new PlatformError('rate_limited', `${endpoint} is rate limited (known locally, not called)`, {
      endpoint,
      resetAt: state.resetAt,
    });
  }

  record(endpoint: string, rateLimit: Partial<TwitterRateLimit> | undefined): RateLimitState | null {
    if (!rateLimit || typeof rateLimit.limit !== 'number' || typeof rateLimit.reset !== 'number') {
      return this.byEndpoint.get(endpoint) ?? null;
    }
    if (!Number.isFinite(rateLimit.limit) || !Number.isFinite(rateLimit.reset)) return null;
    const state: RateLimitState = {
      endpoint,
      limit: rateLimit.limit,
      remaining: Number.isFinite(rateLimit.remaining) ? (rateLimit.remaining ?? 0) : 0,
      resetAt: new Date(rateLimit.reset * 1000),
    };
    this.byEndpoint.set(endpoint, state);
    return state;
  }

  recordExhausted(endpoint: string, resetAt: Date, limit?: number): void {
    const previous = this.byEndpoint.get(endpoint);
    this.byEndpoint.set(endpoint, { endpoint, limit: limit ?? previous?.limit ?? 0, remaining: 0, resetAt });
  }

  get(endpoint: string): RateLimitState | null {
    return this.byEndpoint.get(endpoint) ?? null;
  }

  snapshot(): RateLimitState[] {
    return [...this.byEndpoint.values()].map((s) => ({ ...s, resetAt: new Date(s.resetAt) }));
  }
}
