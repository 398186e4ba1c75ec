import { XRPCError } from '@atproto/api';
import { MAX_RAW_BODY_CHARS, PlatformError, truncate } from '../adapter.js';
import { safeJson } from './bluesky-schemas.js';

// XRPC failures ({error, message} bodies, HTTP statuses, @atproto/api's own lexicon checks)
// mapped to the adapter's closed list of kinds. Messages name the method and the XRPC error
// name, never comment text or tokens.

/** the session is gone: expired or revoked tokens, a refused password, a suspended account */
export const SESSION_ERRORS = new Set([
  'AuthenticationRequired',
  'ExpiredToken',
  'InvalidToken',
  'AuthMissing',
  'AccountTakedown',
  'AccountDeactivated',
]);

/** when a refused call may be made again: RateLimit-Reset (unix seconds), else a minute */
export function resetFromHeaders(headers: Record<string, string | undefined> | undefined, now: number): Date {
  const reset = Number(headers?.['ratelimit-reset']);
  return Number.isFinite(reset) && reset * 1000 > now ? new Date(reset * 1000) : new Date(now + 60_000);
}

export function isSessionError(error: unknown): boolean {
  return error instanceof XRPCError && (error.status === 401 || SESSION_ERRORS.has(error.error));
}

export function classifyBlueskyError(error: unknown, endpoint: string, now: number): PlatformError {
  if (error instanceof PlatformError) return error;
  if (error instanceof XRPCError && error.cause instanceof PlatformError) return error.cause;
  const invalid = invalidResponse(error);
  if (invalid) {
    return new PlatformError('malformed', `${endpoint} answered outside its lexicon (${invalid.why})`, {
      endpoint,
      rawBody: truncate(safeJson(invalid.body), MAX_RAW_BODY_CHARS),
    });
  }
  if (!(error instanceof XRPCError)) {
    return new PlatformError('transient', `${endpoint} could not be reached`, { endpoint, cause: error });
  }
  const status = error.status;
  const name = error.error ?? 'Unknown';
  const reason = truncate(error.message, 500);
  const base = { endpoint, status, reason };
  if (status === 429 || name === 'RateLimitExceeded') {
    return new PlatformError('rate_limited', `${endpoint} is rate limited (${name})`, {
      ...base,
      resetAt: resetFromHeaders(error.headers, now),
    });
  }
  if (isSessionError(error)) {
    return new PlatformError('auth', `${endpoint}: Bluesky refused the session (${name})`, base);
  }
  // ResponseType.Unknown (1): no HTTP answer at all (a reset connection, a timeout).
  if (status >= 500 || status === 1 || name === 'InvalidSwap') {
    return new PlatformError('transient', `${endpoint} failed, retry later (${status} ${name})`, base);
  }
  if (status === 2) {
    return new PlatformError('malformed', `${endpoint} gave an answer that could not be read`, base);
  }
  return new PlatformError('permanent', `${endpoint} refused (${status} ${name})`, base);
}

/** @atproto/xrpc's XRPCInvalidResponseError (not exported by @atproto/api): the lexicon check failed */
function invalidResponse(error: unknown): { why: string; body: unknown } | null {
  if (!(error instanceof XRPCError) || !('responseBody' in error) || !('validationError' in error))
    return null;
  const validation = error.validationError;
  const why = validation instanceof Error ? truncate(validation.message, 300) : 'invalid';
  return { why, body: error.responseBody };
}
