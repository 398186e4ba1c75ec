import type { TwitterApi, TwitterRateLimit } from 'twitter-api-v2';
import { metrics } from '../../core/metrics.js';
import {
  type Credentials,
  type OnCredentialsRefreshed,
  PlatformError,
  type RateLimitState,
} from '../adapter.js';
import type { XClientFactory } from './x-client.js';
import { type CallRole, classifyXError, XTimeoutError } from './x-errors.js';
import { XRateLimits } from './x-rate-limits.js';
import { parseX, xTokenResult } from './x-schemas.js';

export const TOKEN_ENDPOINT = 'POST /2/oauth2/token';
const REFRESH_MARGIN_MS = 2 * 60 * 1000;

export interface XResponse {
  data: unknown;
  rateLimit?: Partial<TwitterRateLimit>;
}

export interface XSessionOptions {
  credentials: Credentials;
  clientId: string;
  clientSecret?: string;
  onCredentialsRefreshed: OnCredentialsRefreshed;
  factory: XClientFactory;
  requestTimeoutMs: number;
  now: () => number;
}

/**
 * Holds the user's tokens and makes every call: local rate-limit guard, refresh before expiry,
 * one refresh-and-retry on a 401, timeout, and classification of whatever goes wrong.
 */
export class XSession {
  readonly rateLimits: XRateLimits;
  private credentials: Credentials;
  private client: TwitterApi;
  /** refreshed tokens the caller has not yet confirmed persisted; never used until it has */
  private unpersisted: Credentials | null = null;
  private refreshing: Promise<Credentials> | null = null;

  constructor(private readonly options: XSessionOptions) {
    this.credentials = { ...options.credentials };
    this.client = options.factory.userClient(this.credentials.accessToken);
    this.rateLimits = new XRateLimits(options.now);
  }

  currentCredentials(): Credentials {
    return { ...this.credentials };
  }

  async call(
    endpoint: string,
    role: CallRole,
    send: (client: TwitterApi) => Promise<XResponse>,
  ): Promise<unknown> {
    await this.ensureFresh();
    try {
      return await this.once(endpoint, role, send);
    } catch (error) {
      if (!(error instanceof PlatformError) || error.kind !== 'auth' || error.status !== 401) throw error;
      if (this.credentials.refreshToken === undefined) throw error;
      // An access token can be revoked before its expiry; refresh once and try again.
      await this.refresh();
      return await this.once(endpoint, role, send);
    }
  }

  rateLimitFor(endpoint: string): RateLimitState | null {
    return this.rateLimits.get(endpoint);
  }

  async refresh(): Promise<Credentials> {
    // One refresh at a time: X rotates the refresh token, so a second concurrent refresh with the
    // old token would fail and could revoke the new one.
    this.refreshing ??= this.doRefresh().finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  private async once(endpoint: string, role: CallRole, send: (client: TwitterApi) => Promise<XResponse>) {
    this.rateLimits.assertAvailable(endpoint);
    try {
      const response = await withTimeout(send(this.client), this.options.requestTimeoutMs);
      countCall(endpoint, 'ok');
      this.rateLimits.record(endpoint, response.rateLimit);
      return response.data;
    } catch (error) {
      const classified = classifyXError(error, endpoint, role, this.options.now());
      countCall(endpoint, classified);
      if (classified instanceof PlatformError && classified.kind === 'rate_limited' && classified.resetAt) {
        this.rateLimits.recordExhausted(endpoint, classified.resetAt);
      }
      throw classified;
    }
  }

  private async ensureFresh(): Promise<void> {
    if (this.unpersisted !== null) {
      await this.refresh();
      return;
    }
    const expiresAt = this.credentials.expiresAt?.getTime();
    if (expiresAt === undefined || this.credentials.refreshToken === undefined) return;
    if (expiresAt - this.options.now() > REFRESH_MARGIN_MS) return;
    await this.refresh();
  }

  private async doRefresh(): Promise<Credentials> {
    let next = this.unpersisted;
    if (next === null) {
      const refreshToken = this.credentials.refreshToken;
      if (refreshToken === undefined) {
        throw new PlatformError('auth', 'access token expired and there is no refresh token', {
          endpoint: TOKEN_ENDPOINT,
        });
      }
      next = await requestRefresh(this.options, refreshToken);
      this.unpersisted = next;
    }
    try {
      await this.options.onCredentialsRefreshed({ ...next });
    } catch (error) {
      throw new PlatformError('transient', 'refreshed credentials could not be persisted', {
        endpoint: TOKEN_ENDPOINT,
        cause: error,
      });
    }
    this.unpersisted = null;
    this.credentials = next;
    this.client = this.options.factory.userClient(next.accessToken);
    return { ...next };
  }
}

async function requestRefresh(options: XSessionOptions, refreshToken: string): Promise<Credentials> {
  const app = options.factory.appClient(options.clientId, options.clientSecret);
  let result: unknown;
  try {
    const raw = await withTimeout(app.refreshOAuth2Token(refreshToken), options.requestTimeoutMs);
    countCall(TOKEN_ENDPOINT, 'ok');
    result = {
      access_token: raw.accessToken,
      refresh_token: raw.refreshToken,
      expires_in: raw.expiresIn,
      scope: raw.scope.join(' '),
    };
  } catch (error) {
    const classified = classifyXError(error, TOKEN_ENDPOINT, 'read', options.now());
    countCall(TOKEN_ENDPOINT, classified);
    // X answers a spent or revoked refresh token with 400 invalid_request: only re-connecting helps.
    if (classified instanceof PlatformError && classified.kind === 'permanent') {
      throw new PlatformError('auth', 'refresh token refused', {
        endpoint: TOKEN_ENDPOINT,
        status: classified.status,
        reason: classified.reason,
        cause: error,
      });
    }
    throw classified;
  }
  return credentialsFromTokenResult(result, options.now(), TOKEN_ENDPOINT);
}

export function credentialsFromTokenResult(body: unknown, now: number, endpoint: string): Credentials {
  const token = parseX(xTokenResult, body, endpoint);
  const credentials: Credentials = { accessToken: token.access_token };
  if (token.refresh_token !== undefined) credentials.refreshToken = token.refresh_token;
  if (token.expires_in !== undefined) credentials.expiresAt = new Date(now + token.expires_in * 1000);
  if (token.scope !== undefined) credentials.scope = token.scope.split(' ').filter((s) => s.length > 0);
  return credentials;
}

/**
 * `hallmonitor_platform_calls_total{platform="x", endpoint, status}`: one per request that left for
 * X (a call the local rate-limit guard refused is not one). `status` is `ok` or what went wrong:
 * rate_limited, auth, transient (5xx, network, timeout), permanent, unsupported, malformed.
 */
function countCall(endpoint: string, outcome: unknown): void {
  const status = outcome === 'ok' ? 'ok' : outcome instanceof PlatformError ? outcome.kind : 'error';
  metrics.platformCalls.inc({ platform: 'x', endpoint, status });
}

export function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new XTimeoutError(ms)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
