// Per token and endpoint windows, as X counts user-context requests. Defaults follow X's
// published 15-minute user limits for these endpoints.

export interface RateLimitWindow {
  limit: number;
  windowSeconds: number;
}

const FIFTEEN_MINUTES = 15 * 60;

export const DEFAULT_RATE_LIMITS: Readonly<Record<string, RateLimitWindow>> = {
  'GET /2/users/me': { limit: 75, windowSeconds: FIFTEEN_MINUTES },
  'GET /2/users/:id/mentions': { limit: 180, windowSeconds: FIFTEEN_MINUTES },
  'GET /2/users/:id/tweets': { limit: 900, windowSeconds: FIFTEEN_MINUTES },
  'GET /2/tweets/search/recent': { limit: 180, windowSeconds: FIFTEEN_MINUTES },
  'POST /2/tweets': { limit: 200, windowSeconds: FIFTEEN_MINUTES },
  'DELETE /2/tweets/:id': { limit: 50, windowSeconds: FIFTEEN_MINUTES },
  'PUT /2/tweets/:id/hidden': { limit: 50, windowSeconds: FIFTEEN_MINUTES },
  'POST /2/users/:id/muting': { limit: 50, windowSeconds: FIFTEEN_MINUTES },
  'DELETE /2/users/:source_user_id/muting/:target_user_id': { limit: 50, windowSeconds: FIFTEEN_MINUTES },
  'GET /2/users/:id/muting': { limit: 15, windowSeconds: FIFTEEN_MINUTES },
  'POST /2/users/:id/blocking': { limit: 50, windowSeconds: FIFTEEN_MINUTES },
  'DELETE /2/users/:source_user_id/blocking/:target_user_id': { limit: 50, windowSeconds: FIFTEEN_MINUTES },
  'GET /2/users/:id/blocking': { limit: 15, windowSeconds: FIFTEEN_MINUTES },
};

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
    overrides: Partial<Record<string, RateLimitWindow>>,
    private readonly now: () => number,
  ) {
    this.config = { ...DEFAULT_RATE_LIMITS };
    for (const [endpoint, window] of Object.entries(overrides)) {
      if (window) this.config[endpoint] = window;
    }
  }

  /** counts the request against its window; an exhausted window answers allowed: false */
  consume(token: string, endpoint: string): RateLimitVerdict {
    const config = this.config[endpoint] ?? { limit: 300, windowSeconds: FIFTEEN_MINUTES };
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
    return this.config[endpoint]?.limit ?? 300;
  }

  reset(): void {
    this.windows.clear();
  }
}
