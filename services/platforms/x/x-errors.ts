import { ApiPartialResponseError, ApiRequestError, ApiResponseError } from 'twitter-api-v2';
import { MAX_RAW_BODY_CHARS, PlatformError, truncate } from '../adapter.js';

/** Whether the call reads (403 means the credentials or app lack access) or acts on something. */
export type CallRole = 'read' | 'action';

export class XTimeoutError extends Error {
  constructor(readonly ms: number) {
    super(`no response within ${ms} ms`);
    this.name = 'XTimeoutError';
  }
}

const FALLBACK_RATE_LIMIT_WINDOW_MS = 15 * 60 * 1000;

/** Maps anything twitter-api-v2 throws to a PlatformError; anything else (our own bugs) is rethrown as is. */
export function classifyXError(error: unknown, endpoint: string, role: CallRole, now: number): unknown {
  if (error instanceof PlatformError) return error;
  if (error instanceof ApiResponseError) return fromResponseError(error, endpoint, role, now);
  if (error instanceof ApiPartialResponseError) {
    const status = error.response?.statusCode;
    if (status !== undefined && status >= 500) {
      return new PlatformError('transient', `${endpoint} answered ${status}`, {
        endpoint,
        status,
        cause: error,
      });
    }
    if (error.responseError instanceof SyntaxError) {
      return new PlatformError('malformed', `${endpoint} sent a body that is not JSON`, {
        endpoint,
        status,
        rawBody: truncate(error.rawContent ?? '', MAX_RAW_BODY_CHARS),
        cause: error,
      });
    }
    return new PlatformError('transient', `${endpoint}: connection closed mid-response`, {
      endpoint,
      status,
      cause: error,
    });
  }
  if (error instanceof ApiRequestError) {
    return new PlatformError('transient', `${endpoint}: request failed (network)`, {
      endpoint,
      cause: error,
    });
  }
  if (error instanceof XTimeoutError) {
    return new PlatformError('transient', `${endpoint}: ${error.message}`, { endpoint, cause: error });
  }
  return error;
}

function fromResponseError(
  error: ApiResponseError,
  endpoint: string,
  role: CallRole,
  now: number,
): PlatformError {
  const status = error.code;
  const reason = reasonOf(error.data);
  const base = { endpoint, status, reason, cause: error };
  if (status === 429) {
    const reset = error.rateLimit?.reset ?? Number(error.headers?.['x-rate-limit-reset']);
    const resetAt =
      Number.isFinite(reset) && reset > 0
        ? new Date(reset * 1000)
        : new Date(now + FALLBACK_RATE_LIMIT_WINDOW_MS);
    return new PlatformError('rate_limited', `${endpoint} is rate limited`, { ...base, resetAt });
  }
  if (status === 401) return new PlatformError('auth', `${endpoint}: credentials refused (401)`, base);
  if (status === 403 && role === 'read') {
    return new PlatformError('auth', `${endpoint}: access refused (403)`, base);
  }
  if (status >= 500) return new PlatformError('transient', `${endpoint} answered ${status}`, base);
  if (status === 408) return new PlatformError('transient', `${endpoint} answered 408`, base);
  return new PlatformError('permanent', `${endpoint} refused (${status})`, base);
}

/** X puts the human reason in `detail` (problem bodies), `errors[].message` or `error_description` (OAuth). */
export function reasonOf(data: unknown): string | undefined {
  if (typeof data === 'string') return data.length > 0 ? truncate(data, 500) : undefined;
  if (data === null || typeof data !== 'object') return undefined;
  const body = data as Record<string, unknown>;
  if (typeof body.detail === 'string') return body.detail;
  if (typeof body.error_description === 'string') return body.error_description;
  if (Array.isArray(body.errors)) {
    const first = body.errors[0] as Record<string, unknown> | undefined;
    if (first && typeof first.detail === 'string') return first.detail;
    if (first && typeof first.message === 'string') return first.message;
  }
  if (typeof body.title === 'string') return body.title;
  if (typeof body.error === 'string') return body.error;
  return undefined;
}
