import { type ApiReply, errors } from './graph.js';
import type { MetaToken } from './state.js';

// Graph's rate limiting as the client sees it: usage in percent in the `X-App-Usage` header
// (platform limits: user and app tokens), and in `X-Page-Usage` and `X-Business-Use-Case-Usage`
// keyed by Page id (Page tokens), rising with each call. At 100% the next call is refused with
// error 4 (app), 17 (user) or 32 (Page) until the window turns; the BUC header says when, in
// minutes (`estimated_time_to_regain_access`).

export interface MetaUsageLimits {
  /** calls per window for the whole app (default 2000) */
  app: number;
  /** calls per window for one person's user tokens (default 1000) */
  user: number;
  /** calls per window for one Page's tokens (default 1000) */
  page: number;
  /** default 3600 */
  windowSeconds: number;
}

export const DEFAULT_USAGE_LIMITS: MetaUsageLimits = {
  app: 2000,
  user: 1000,
  page: 1000,
  windowSeconds: 3600,
};

interface Window {
  count: number;
  resetAt: number;
}

export interface UsageVerdict {
  headers: Record<string, string>;
  /** the refusal when a limit is reached */
  refusal: ApiReply | null;
}

export class MetaUsage {
  limits: MetaUsageLimits;
  private readonly windows = new Map<string, Window>();

  constructor(
    limits: Partial<MetaUsageLimits>,
    private readonly now: () => number,
  ) {
    this.limits = { ...DEFAULT_USAGE_LIMITS, ...limits };
  }

  set(limits: Partial<MetaUsageLimits>): void {
    this.limits = { ...this.limits, ...limits };
  }

  reset(): void {
    this.windows.clear();
  }

  /** counts one call made with `token` (null for a call with no usable token) */
  consume(token: MetaToken | null, appId: string): UsageVerdict {
    const app = this.window(`app:${appId}`);
    const holder =
      token === null ? null : token.kind === 'page' ? `page:${token.pageId}` : `user:${token.userId}`;
    const own = holder === null ? null : this.window(holder);
    const ownLimit = token?.kind === 'page' ? this.limits.page : this.limits.user;

    let refusal: ApiReply | null = null;
    if (own && own.count >= ownLimit)
      refusal = token?.kind === 'page' ? errors.pageLimit() : errors.userLimit();
    else if (app.count >= this.limits.app) refusal = errors.appLimit();
    else {
      app.count += 1;
      if (own) own.count += 1;
    }
    const headers: Record<string, string> = {
      'x-app-usage': JSON.stringify(usage(app.count, this.limits.app)),
    };
    if (token?.kind === 'page' && own && token.pageId) {
      const pageUsage = usage(own.count, this.limits.page);
      headers['x-page-usage'] = JSON.stringify(pageUsage);
      const regain = own.count >= this.limits.page ? Math.ceil((own.resetAt - this.now()) / 60_000) : 0;
      headers['x-business-use-case-usage'] = JSON.stringify({
        [token.pageId]: [{ type: 'pages', ...pageUsage, estimated_time_to_regain_access: regain }],
      });
    }
    return { headers, refusal };
  }

  /** the app's usage header without counting a call (for answers to calls with no usable token) */
  peek(appId: string): Record<string, string> {
    const app = this.windows.get(`app:${appId}`);
    const count = app && app.resetAt > this.now() ? app.count : 0;
    return { 'x-app-usage': JSON.stringify(usage(count, this.limits.app)) };
  }

  private window(key: string): Window {
    const now = this.now();
    let window = this.windows.get(key);
    if (!window || window.resetAt <= now) {
      window = { count: 0, resetAt: now + this.limits.windowSeconds * 1000 };
      this.windows.set(key, window);
    }
    return window;
  }
}

function usage(count: number, limit: number) {
  const percent = Math.min(100, Math.floor((count * 100) / Math.max(1, limit)));
  return {
    call_count: percent,
    total_cputime: Math.floor(percent / 2),
    total_time: Math.floor((percent * 3) / 4),
  };
}
