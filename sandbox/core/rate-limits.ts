// Per token and endpoint windows, as the platforms count user-context requests. Each platform
// module brings its published limits (x/rate-limits.ts); a test overrides any of them.

export interface RateLimitWindow {
  limit: number;
  windowSeconds: number;
}

/** an endpoint with no published limit */
const FALLBACK_LIMIT = 300;

export interface RateLimitVerdict {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** unix seconds */
  reset: number;
}

export class SandboxRateLimits {
  private readonly windows = new Map<string, { count: number; resetAt: number }>();
  private readonly config: Record<string, RateLimitWindow>;

  constructor(
    defaults: Readonly<Record<string, RateLimitWindow>>,
    overrides: Partial<Record<string, RateLimitWindow>>,
    private readonly now: () => number,
  ) {
    this.config = { ...defaults };
    for (const [endpoint, window] of Object.entries(overrides)) {
      if (window) this.config[endpoint] = window;
    }
  }

  /** counts the request against its window; an exhausted window answers allowed: false */
  consume(token: string, endpoint: string): RateLimitVerdict {
    const config = this.config[endpoint] ?? { limit: FALLBACK_LIMIT, windowSeconds: 15 * 60 };
    const key = `${token} ${endpoint}`;
    const now = this.now();
    let window = this.windows.get(key);
    if (!window || window.resetAt <= now) {
      window = { count: 0, resetAt: now + config.windowSeconds * 1000 };
      this.windows.set(key, window);
    }
    const reset = Math.ceil(window.resetAt / 1000);
    if (window.count >= config.limit) return { allowed: false, limit: config.limit, remaining: 0, reset };
    window.count += 1;
    return { allowed: true, limit: config.limit, remaining: config.limit - window.count, reset };
  }

  limitOf(endpoint: string): number {
    return this.config[endpoint]?.limit ?? FALLBACK_LIMIT;
  }

  reset(): void {
    this.windows.clear();
  }
}
