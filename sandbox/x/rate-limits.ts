import type { RateLimitWindow } from '../core/rate-limits.js';

// X's published 15-minute user-context limits for the endpoints the sandbox serves.

const FIFTEEN_MINUTES = 15 * 60;

export const X_RATE_LIMITS: Readonly<Record<string, RateLimitWindow>> = {
  'GET /2/users/me': { limit: 75, windowSeconds: FIFTEEN_MINUTES },
  'GET /2/users/:id/mentions': { limit: 180, windowSeconds: FIFTEEN_MINUTES },
  'GET /2/users/:id/tweets': { limit: 900, windowSeconds: FIFTEEN_MINUTES },
  'GET /2/tweets/search/recent': { limit: 180, windowSeconds: FIFTEEN_MINUTES },
  'GET /2/tweets/:id': { limit: 900, windowSeconds: FIFTEEN_MINUTES },
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
