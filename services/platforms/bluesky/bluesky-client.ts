import { Agent, AtpAgent, XRPCError } from '@atproto/api';
import {
  type Credentials,
  type OnCredentialsRefreshed,
  PlatformError,
  type RateLimitState,
} from '../adapter.js';
import { classifyBlueskyError, isSessionError } from './bluesky-errors.js';
import { type BlueskySession, parseBluesky, session as sessionSchema } from './bluesky-schemas.js';

// One account's XRPC connection through @atproto/api. The session (access and refresh JWTs, and
// the app password it was made with) is Hallmonitor's: AtpAgent's own session manager refreshes
// on its own and reports through a callback it does not wait for, so a rotated refresh token
// could be lost in a crash. Here a refused access token is refreshed (or, when the refresh token
// is spent or revoked, the app password signs in again), the new tokens are stored, and only then
// is the call made again. RateLimit-* headers on every answer are remembered: reads stop short of
// the limit so actions keep room, and a spent window is refused locally until it resets.

export interface BlueskyClientOptions {
  /** the PDS or entryway: https://bsky.social */
  serviceUrl: string;
  /** accessToken: access JWT, refreshToken: refresh JWT, secret: the app password */
  credentials: Credentials;
  /** the account's DID: a session for another is refused */
  did: string;
  onCredentialsRefreshed: OnCredentialsRefreshed;
  requestTimeoutMs?: number;
  now?: () => number;
}

export type CallRole = 'read' | 'action';

/** the share of a window reads leave to actions (moderation must not starve behind polling) */
const ACTION_RESERVE = 0.05;

export class BlueskyClient {
  readonly agent: Agent;
  private access: string;
  private refresh: string | undefined;
  private readonly secret: string | undefined;
  private budget: RateLimitState | null = null;
  private renewing: Promise<void> | null = null;
  private readonly now: () => number;
  private readonly inflight = new Set<AbortController>();

  constructor(private readonly options: BlueskyClientOptions) {
    this.now = options.now ?? Date.now;
    this.access = options.credentials.accessToken;
    this.refresh = options.credentials.refreshToken;
    this.secret = options.credentials.secret;
    this.agent = new Agent({ did: options.did, fetchHandler: (url, init) => this.send(url, init) });
  }

  /** Runs one XRPC call: budget checked, a refused session renewed once, failures classified. */
  async call<T>(
    endpoint: string,
    role: CallRole,
    run: (agent: Agent) => Promise<{ data: T }>,
    options: { offLexicon?: 'fail' | 'return' } = {},
  ): Promise<unknown> {
    this.assertBudget(endpoint, role);
    const attempt = async () => {
      try {
        return (await run(this.agent)).data;
      } catch (error) {
        // A list whose items the caller checks one by one: one item outside the lexicon (an
        // author without a valid handle) must not hold back the rest, so the body comes back as is.
        const body = options.offLexicon === 'return' ? offLexiconBody(error) : undefined;
        if (body !== undefined) return body;
        throw error;
      }
    };
    try {
      return await attempt();
    } catch (error) {
      if (!isSessionError(error)) throw classifyBlueskyError(error, endpoint, this.now());
      await this.renew(endpoint);
      try {
        return await attempt();
      } catch (again) {
        throw classifyBlueskyError(again, endpoint, this.now());
      }
    }
  }

  /** a new session now (refreshCredentials), stored before it is used */
  async renewNow(): Promise<Credentials> {
    await this.renew('com.atproto.server.refreshSession');
    return this.credentials();
  }

  rateLimitState(): RateLimitState | null {
    return this.budget === null ? null : { ...this.budget, resetAt: new Date(this.budget.resetAt) };
  }

  close(): void {
    for (const controller of this.inflight) controller.abort();
  }

  private credentials(): Credentials {
    return {
      accessToken: this.access,
      ...(this.refresh ? { refreshToken: this.refresh } : {}),
      ...(this.secret ? { secret: this.secret } : {}),
    };
  }

  private assertBudget(endpoint: string, role: CallRole): void {
    const budget = this.budget;
    if (budget === null || this.now() >= budget.resetAt.getTime()) return;
    const floor = role === 'read' ? Math.max(1, Math.floor(budget.limit * ACTION_RESERVE)) : 0;
    if (budget.remaining > floor) return;
    throw new PlatformError(
      'rate_limited',
      `${endpoint}: ${budget.remaining} of ${budget.limit} calls left until ${budget.resetAt.toISOString()} (known locally, not called)`,
      { endpoint, resetAt: budget.resetAt },
    );
  }

  private renew(endpoint: string): Promise<void> {
    if (!this.renewing) {
      this.renewing = this.renewOnce(endpoint).finally(() => {
        this.renewing = null;
      });
    }
    return this.renewing;
  }

  private async renewOnce(endpoint: string): Promise<void> {
    let fresh: BlueskySession | null = null;
    if (this.refresh) {
      try {
        const answer = await this.agent.com.atproto.server.refreshSession(undefined, {
          headers: { authorization: `Bearer ${this.refresh}` },
        });
        fresh = parseBluesky(sessionSchema, answer.data, 'com.atproto.server.refreshSession');
      } catch (error) {
        // A spent or revoked refresh token: the app password may still sign in.
        if (!isSessionError(error) || !this.secret) throw this.sessionRefused(error, endpoint);
      }
    }
    if (fresh === null) {
      if (!this.secret) throw this.sessionRefused(undefined, endpoint);
      try {
        const answer = await this.agent.com.atproto.server.createSession({
          identifier: this.options.did,
          password: this.secret,
        });
        fresh = parseBluesky(sessionSchema, answer.data, 'com.atproto.server.createSession');
      } catch (error) {
        throw this.sessionRefused(error, endpoint);
      }
    }
    if (fresh.did !== this.options.did) {
      throw new PlatformError('auth', `${endpoint}: Bluesky answered with a session for another account`, {
        endpoint,
      });
    }
    const next: Credentials = {
      accessToken: fresh.accessJwt,
      refreshToken: fresh.refreshJwt,
      ...(this.secret ? { secret: this.secret } : {}),
    };
    await this.options.onCredentialsRefreshed(next);
    this.access = fresh.accessJwt;
    this.refresh = fresh.refreshJwt;
  }

  private sessionRefused(error: unknown, endpoint: string): PlatformError {
    if (error !== undefined && !isSessionError(error))
      return classifyBlueskyError(error, endpoint, this.now());
    const name = error instanceof XRPCError ? error.error : 'no session';
    return new PlatformError(
      'auth',
      `${endpoint}: Bluesky refused the session and the app password (${name}); it was revoked or changed`,
      {
        endpoint,
        ...(error instanceof XRPCError ? { status: error.status } : {}),
        reason:
          'the app password was revoked or changed in Bluesky (Settings → Privacy and security → App passwords)',
      },
    );
  }

  private async send(url: string, init: RequestInit): Promise<Response> {
    const request = new Request(new URL(url, this.options.serviceUrl), init);
    if (!request.headers.has('authorization')) request.headers.set('authorization', `Bearer ${this.access}`);
    const controller = new AbortController();
    this.inflight.add(controller);
    const timer = setTimeout(() => controller.abort(), this.options.requestTimeoutMs ?? 15_000);
    try {
      const response = await fetch(request, { signal: controller.signal });
      this.recordBudget(response.headers);
      const text = await response.text();
      if (response.ok && (response.headers.get('content-type') ?? '').includes('json') && text !== '') {
        try {
          JSON.parse(text);
        } catch {
          const endpoint = new URL(request.url).pathname.replace(/^\/xrpc\//, '');
          throw new PlatformError('malformed', `${endpoint} answered with JSON that does not parse`, {
            endpoint,
            status: response.status,
            rawBody: text,
          });
        }
      }
      return new Response(text === '' ? null : text, { status: response.status, headers: response.headers });
    } finally {
      clearTimeout(timer);
      this.inflight.delete(controller);
    }
  }

  private recordBudget(headers: Headers): void {
    const limit = Number(headers.get('ratelimit-limit'));
    const remaining = Number(headers.get('ratelimit-remaining'));
    const reset = Number(headers.get('ratelimit-reset'));
    if (!headers.has('ratelimit-limit') || ![limit, remaining, reset].every(Number.isFinite)) return;
    this.budget = { endpoint: 'xrpc', limit, remaining, resetAt: new Date(reset * 1000) };
  }
}

/** the body of an answer @atproto/api refused for its lexicon (XRPCInvalidResponseError), else undefined */
function offLexiconBody(error: unknown): unknown {
  if (!(error instanceof XRPCError) || !('responseBody' in error) || !('validationError' in error))
    return undefined;
  return error.responseBody ?? undefined;
}

/**
 * Signs in with a handle (or DID) and an app password, as the connect form does: the session
 * and who it belongs to. A wrong password is 'auth'; Bluesky being away is 'transient'.
 */
export async function signInWithAppPassword(
  serviceUrl: string,
  identifier: string,
  appPassword: string,
): Promise<{ did: string; handle: string; credentials: Credentials }> {
  const agent = new AtpAgent({ service: serviceUrl });
  const endpoint = 'com.atproto.server.createSession';
  try {
    const answer = await agent.login({ identifier, password: appPassword });
    const fresh = parseBluesky(sessionSchema, answer.data, endpoint);
    return {
      did: fresh.did,
      handle: fresh.handle,
      credentials: { accessToken: fresh.accessJwt, refreshToken: fresh.refreshJwt, secret: appPassword },
    };
  } catch (error) {
    throw classifyBlueskyError(error, endpoint, Date.now());
  }
}
