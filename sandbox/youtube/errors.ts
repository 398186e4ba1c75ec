import type { PlatformShapes } from '../core/http.js';

// Google's JSON error body as the YouTube Data API sends it:
// {"error":{"code":403,"message":"…","errors":[{"message","domain","reason"}],"status":"PERMISSION_DENIED"}}

export interface ApiReply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

const STATUS_NAMES: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  409: 'ABORTED',
  413: 'INVALID_ARGUMENT',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  502: 'UNAVAILABLE',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
};

export function googleError(
  status: number,
  reason: string,
  message: string,
  extra: { domain?: string; location?: string; locationType?: string } = {},
): ApiReply {
  const item: Record<string, string> = { message, domain: extra.domain ?? 'youtube.api', reason };
  if (extra.location) item.location = extra.location;
  if (extra.locationType) item.locationType = extra.locationType;
  return {
    status,
    body: { error: { code: status, message, errors: [item], status: STATUS_NAMES[status] ?? 'UNKNOWN' } },
  };
}

export class GoogleFailure extends Error {
  constructor(readonly reply: ApiReply) {
    super('google error');
  }
}

export function fail(status: number, reason: string, message: string, domain?: string): never {
  throw new GoogleFailure(googleError(status, reason, message, domain === undefined ? {} : { domain }));
}

export const ytErrors = {
  quotaExceeded: () =>
    googleError(
      403,
      'quotaExceeded',
      'The request cannot be completed because you have exceeded your <a href="/youtube/v3/getting-started#quota">quota</a>.',
      { domain: 'youtube.quota' },
    ),
  authError: () =>
    googleError(
      401,
      'authError',
      'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.',
      { domain: 'global', location: 'Authorization', locationType: 'header' },
    ),
  loginRequired: () =>
    googleError(401, 'required', 'Login Required.', {
      domain: 'global',
      location: 'Authorization',
      locationType: 'header',
    }),
  insufficientScopes: () =>
    googleError(403, 'insufficientPermissions', 'Request had insufficient authentication scopes.', {
      domain: 'global',
    }),
  rateLimit: () =>
    googleError(429, 'rateLimitExceeded', 'Resource has been exhausted (e.g. check quota).', {
      domain: 'usageLimits',
    }),
  commentNotFound: () =>
    googleError(
      404,
      'commentNotFound',
      'The comment identified by the <code>id</code> parameter could not be found.',
      { domain: 'youtube.comment' },
    ),
  forbidden: () =>
    googleError(
      403,
      'forbidden',
      'The comment could not be updated due to insufficient permissions. The request might not be properly authorized.',
      { domain: 'youtube.comment' },
    ),
};

export const youtubeShapes: PlatformShapes = {
  unavailable: (status) =>
    googleError(
      status,
      status === 500 ? 'backendError' : 'serviceUnavailable',
      status === 500 ? 'Backend Error' : 'The service is currently unavailable.',
      { domain: 'global' },
    ).body,
  tooManyRequests: () => ytErrors.rateLimit().body,
  tooManyRequestsStatus: 429,
  rateLimitHeaders: (_limit, _remaining, reset) => ({
    'retry-after': String(Math.max(1, reset - Math.floor(Date.now() / 1000))),
  }),
  routeNotFound: () => googleError(404, 'notFound', 'Not Found', { domain: 'global' }).body,
  payloadTooLarge: () => googleError(413, 'uploadTooLarge', 'Request too large.', { domain: 'global' }).body,
};
