import { z } from 'zod';
import { MAX_RAW_BODY_CHARS, PlatformError, truncate } from '../adapter.js';
import { nextPacificMidnight } from './youtube-quota.js';

/** Whether the call reads (a refused permission means reconnect) or acts (only that action fails). */
export type CallRole = 'read' | 'action';

/** Google's error body: {"error":{"code","message","errors":[{"reason","domain","message"}],"status"}} */
const googleErrorBody = z.object({
  error: z.looseObject({
    code: z.number().int(),
    message: z.string().max(5000).optional(),
    errors: z
      .array(
        z.looseObject({ reason: z.string().max(200).optional(), domain: z.string().max(200).optional() }),
      )
      .max(50)
      .optional(),
    status: z.string().max(100).optional(),
  }),
});

/** the OAuth token endpoint's error: {"error":"invalid_grant","error_description":"…"} */
const oauthErrorBody = z.object({
  error: z.string().max(200),
  error_description: z.string().max(2000).optional(),
});

const RATE_REASONS = new Set(['rateLimitExceeded', 'userRateLimitExceeded', 'RATE_LIMIT_EXCEEDED']);
const QUOTA_REASONS = new Set(['quotaExceeded', 'dailyLimitExceeded']);
const AUTH_REASONS = new Set(['authError', 'required', 'invalidCredentials', 'insufficientPermissions']);
const RATE_LIMIT_FALLBACK_MS = 60_000;

/** what a failed gaxios call carries, read without trusting its shape */
interface FailedCall {
  status?: number;
  code?: string | number;
  response?: { status?: number; data?: unknown; headers?: unknown };
  message?: string;
}

function bodyText(data: unknown): string {
  if (typeof data === 'string') return data;
  try {
    return JSON.stringify(data) ?? '';
  } catch {
    return String(data);
  }
}

function retryAfterMs(headers: unknown): number | null {
  const get = (headers as { get?: (name: string) => string | null } | undefined)?.get;
  const raw =
    typeof get === 'function'
      ? get.call(headers, 'retry-after')
      : ((headers as Record<string, string> | undefined)?.['retry-after'] ?? null);
  const seconds = raw === null || raw === undefined ? Number.NaN : Number(raw);
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : null;
}

/**
 * Maps a failed YouTube or Google OAuth call to a PlatformError. The message names the status and
 * Google's reason, never comment text or tokens. quotaExceeded waits for the Pacific-midnight reset.
 */
export function classifyYouTubeError(
  error: unknown,
  endpoint: string,
  role: CallRole,
  now: number,
): PlatformError {
  if (error instanceof PlatformError) return error;
  const failed = (error ?? {}) as FailedCall;
  const status = failed.response?.status ?? failed.status;
  if (status === undefined) {
    // No answer: a reset connection, a timeout, DNS. Or an answer that was not JSON at all.
    if (error instanceof SyntaxError || (failed.message ?? '').includes('JSON')) {
      return new PlatformError('malformed', `${endpoint} answered with a body that is not JSON`, {
        endpoint,
      });
    }
    return new PlatformError(
      'transient',
      `${endpoint} could not be reached (${failed.code ?? 'no answer'})`,
      {
        endpoint,
        cause: error,
      },
    );
  }
  const data = failed.response?.data;
  const oauth = oauthErrorBody.safeParse(data);
  if (oauth.success) {
    const reason = truncate(oauth.data.error_description ?? oauth.data.error, 500);
    if (
      oauth.data.error === 'invalid_grant' ||
      oauth.data.error === 'invalid_client' ||
      oauth.data.error === 'unauthorized_client'
    ) {
      return new PlatformError('auth', `${endpoint}: Google refused the credentials (${oauth.data.error})`, {
        endpoint,
        status,
        reason,
      });
    }
    if (status >= 500)
      return new PlatformError('transient', `${endpoint} answered ${status}`, { endpoint, status });
    return new PlatformError('permanent', `${endpoint} refused (${oauth.data.error})`, {
      endpoint,
      status,
      reason,
    });
  }
  const parsed = googleErrorBody.safeParse(data);
  if (!parsed.success) {
    if (status >= 500 || status === 408 || status === 429) {
      return new PlatformError('transient', `${endpoint} answered ${status}`, { endpoint, status });
    }
    return new PlatformError(
      'malformed',
      `${endpoint} answered ${status} with a body that is not a Google error`,
      {
        endpoint,
        status,
        rawBody: truncate(bodyText(data), MAX_RAW_BODY_CHARS),
      },
    );
  }
  const reasonCode = parsed.data.error.errors?.[0]?.reason ?? parsed.data.error.status ?? String(status);
  const message = parsed.data.error.message?.replace(/<[^>]*>/g, '');
  const tag = `${status} ${reasonCode}`;
  const base = { endpoint, status, reason: truncate(message ?? reasonCode, 500) };

  if (QUOTA_REASONS.has(reasonCode)) {
    const resetAt = nextPacificMidnight(now);
    return new PlatformError(
      'rate_limited',
      `${endpoint}: YouTube's daily quota is spent; it comes back at midnight Pacific time (${resetAt.toISOString()})`,
      {
        ...base,
        reason: `YouTube's daily quota for this installation is spent; it comes back at midnight Pacific time (${resetAt.toISOString()})`,
        resetAt,
      },
    );
  }
  if (status === 429 || RATE_REASONS.has(reasonCode)) {
    const wait = retryAfterMs(failed.response?.headers) ?? RATE_LIMIT_FALLBACK_MS;
    return new PlatformError('rate_limited', `${endpoint} is rate limited (${tag})`, {
      ...base,
      resetAt: new Date(now + wait),
    });
  }
  if (status === 401 || (AUTH_REASONS.has(reasonCode) && role === 'read')) {
    return new PlatformError('auth', `${endpoint}: the credentials were refused (${tag})`, base);
  }
  if (status >= 500) return new PlatformError('transient', `${endpoint} failed, retry later (${tag})`, base);
  if (status === 403 && role === 'read') {
    return new PlatformError(
      'auth',
      `${endpoint}: the channel no longer lets Hallmonitor read it (${tag})`,
      base,
    );
  }
  return new PlatformError('permanent', `${endpoint} refused (${tag})`, base);
}
