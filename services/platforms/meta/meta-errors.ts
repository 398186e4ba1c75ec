import { z } from 'zod';
import { MAX_RAW_BODY_CHARS, PlatformError, truncate } from '../adapter.js';

/** Whether the call reads (a refused permission means the account must be re-connected) or acts. */
export type CallRole = 'read' | 'action';

/** The Graph API error body: `{"error":{"message","type","code","error_subcode","fbtrace_id"}}`. */
export const graphErrorBody = z.object({
  error: z.looseObject({
    message: z.string().max(2000).optional(),
    type: z.string().max(200).optional(),
    code: z.number().int(),
    error_subcode: z.number().int().optional(),
    error_user_msg: z.string().max(2000).optional(),
    fbtrace_id: z.string().max(200).optional(),
  }),
});
export type GraphErrorBody = z.infer<typeof graphErrorBody>['error'];

/** Token problems: expired, revoked, password changed, app removed, session invalid. */
const AUTH_CODES = new Set([102, 190]);
const AUTH_SUBCODES = new Set([458, 459, 460, 463, 464, 467, 492]);
/** App, user, Page and business-use-case throttling. 80001-80014 are the BUC limits per product. */
const RATE_CODES = new Set([4, 17, 32, 613]);
const isBucCode = (code: number) => code >= 80001 && code <= 80014;
/** "An unknown error occurred", "Service temporarily unavailable". */
const TRANSIENT_CODES = new Set([1, 2]);
/** Permission codes: 10 (permission denied), 200-299 (a permission the token lacks). */
const isPermissionCode = (code: number) => code === 10 || (code >= 200 && code <= 299);
/** code 100 subcode 33: "Object with ID … does not exist, cannot be loaded due to missing permissions". */
export const isNotFound = (error: unknown) =>
  error instanceof PlatformError && error.kind === 'permanent' && error.status === 404;

export const FALLBACK_RATE_LIMIT_MS = 10 * 60 * 1000;

export interface ClassifyInput {
  endpoint: string;
  role: CallRole;
  status: number;
  /** the body text as received (possibly not JSON) */
  text: string;
  /** when the usage headers say the budget comes back (estimated_time_to_regain_access) */
  regainAt: Date | null;
  now: number;
}

/**
 * Maps a non-2xx Graph answer to a PlatformError. The Graph error code decides, not the HTTP
 * status (Graph answers 400 for most errors, including throttling). The message names the code,
 * subcode and fbtrace_id (for Meta support), never comment text or tokens.
 */
export function classifyGraphError(input: ClassifyInput): PlatformError {
  const { endpoint, role, status, text } = input;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const parsed = graphErrorBody.safeParse(json);
  if (!parsed.success) {
    if (status >= 500 || status === 408 || status === 429) {
      return new PlatformError('transient', `${endpoint} answered ${status}`, { endpoint, status });
    }
    return new PlatformError(
      'malformed',
      `${endpoint} answered ${status} with a body that is not a Graph error`,
      {
        endpoint,
        status,
        rawBody: truncate(text, MAX_RAW_BODY_CHARS),
      },
    );
  }
  const error = parsed.data.error;
  const code = error.code;
  const subcode = error.error_subcode;
  const tag = `code ${code}${subcode === undefined ? '' : `/${subcode}`}${error.fbtrace_id ? `, fbtrace_id ${error.fbtrace_id}` : ''}`;
  const reason = error.message === undefined ? undefined : truncate(error.message, 500);
  const base = { endpoint, status, ...(reason === undefined ? {} : { reason }) };

  if (AUTH_CODES.has(code) || (subcode !== undefined && AUTH_SUBCODES.has(subcode))) {
    return new PlatformError('auth', `${endpoint}: the token was refused (${tag})`, base);
  }
  if (RATE_CODES.has(code) || isBucCode(code)) {
    const resetAt = input.regainAt ?? new Date(input.now + FALLBACK_RATE_LIMIT_MS);
    return new PlatformError('rate_limited', `${endpoint} is throttled (${tag})`, { ...base, resetAt });
  }
  if (TRANSIENT_CODES.has(code) || status >= 500) {
    return new PlatformError('transient', `${endpoint} failed, retry later (${tag})`, base);
  }
  if (isPermissionCode(code) && role === 'read') {
    // A read refused for a missing permission: the person took a permission back, so the
    // account needs connecting again (an action refused is only that action's problem).
    return new PlatformError('auth', `${endpoint}: a permission was refused (${tag})`, base);
  }
  if (code === 100 && subcode === 33) {
    return new PlatformError('permanent', `${endpoint}: the object does not exist (${tag})`, {
      ...base,
      status: 404,
    });
  }
  return new PlatformError('permanent', `${endpoint} refused (${tag})`, base);
}
