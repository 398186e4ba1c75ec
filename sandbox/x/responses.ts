import type { PlatformShapes } from '../core/http.js';
import type { SandboxState, SandboxTweet, SandboxUser } from './state.js';

// X's response and error shapes, as the v2 API sends them.

export interface ApiReply {
  status: number;
  body: unknown;
}

export const problems = {
  unauthorized: (): ApiReply => ({
    status: 401,
    body: { title: 'Unauthorized', type: 'about:blank', status: 401, detail: 'Unauthorized' },
  }),
  tooManyRequests: (): ApiReply => ({
    status: 429,
    body: { title: 'Too Many Requests', detail: 'Too Many Requests', type: 'about:blank', status: 429 },
  }),
  forbidden: (detail: string): ApiReply => ({
    status: 403,
    body: { title: 'Forbidden', type: 'about:blank', status: 403, detail },
  }),
  clientForbidden: (): ApiReply => ({
    status: 403,
    body: {
      client_id: 'sandbox-client',
      detail:
        'When authenticating requests to the Twitter API v2 endpoints, you must use keys and tokens from a Twitter developer App that is attached to a Project with the appropriate level of API access.',
      registration_url: 'https://developer.x.com/en/portal/products',
      title: 'Client Forbidden',
      required_enrollment: 'Enterprise',
      reason: 'client-not-enrolled',
      type: 'https://api.twitter.com/2/problems/client-forbidden',
    },
  }),
  invalidRequest: (parameter: string, value: string, message: string): ApiReply => ({
    status: 400,
    body: {
      errors: [{ parameters: { [parameter]: [value] }, message }],
      title: 'Invalid Request',
      detail: 'One or more parameters to your request was invalid.',
      type: 'https://api.twitter.com/2/problems/invalid-request',
    },
  }),
  notFound: (resourceType: 'tweet' | 'user', id: string, status = 404): ApiReply => ({
    status,
    body: {
      errors: [
        {
          value: id,
          detail: `Could not find ${resourceType} with id: [${id}].`,
          title: 'Not Found Error',
          resource_type: resourceType,
          parameter: 'id',
          resource_id: id,
          type: 'https://api.twitter.com/2/problems/resource-not-found',
        },
      ],
    },
  }),
  routeNotFound: (): ApiReply => ({
    status: 404,
    body: { errors: [{ message: 'Sorry, that page does not exist', code: 34 }] },
  }),
  unavailable: (status: number): ApiReply => ({
    status,
    body: { title: 'Service Unavailable', detail: 'Service Unavailable', type: 'about:blank', status },
  }),
};

/** what the sandbox host answers for X when no route does: faults, unknown routes, huge bodies */
export const xShapes: PlatformShapes = {
  unavailable: (status) => problems.unavailable(status).body,
  tooManyRequests: () => problems.tooManyRequests().body,
  rateLimitHeaders: (limit, remaining, reset) => ({
    'x-rate-limit-limit': String(limit),
    'x-rate-limit-remaining': String(remaining),
    'x-rate-limit-reset': String(reset),
  }),
  routeNotFound: () => problems.routeNotFound().body,
  payloadTooLarge: () => ({ title: 'Payload Too Large', status: 413, type: 'about:blank' }),
};

export interface FieldSelection {
  tweetFields: Set<string>;
  userFields: Set<string>;
  expansions: Set<string>;
}

export function fieldSelection(query: URLSearchParams): FieldSelection {
  return {
    tweetFields: csv(query.get('tweet.fields')),
    userFields: csv(query.get('user.fields')),
    expansions: csv(query.get('expansions')),
  };
}

function csv(value: string | null): Set<string> {
  return new Set((value ?? '').split(',').filter((s) => s.length > 0));
}

export function renderUser(user: SandboxUser): Record<string, unknown> {
  // id, name and username are X's default user fields; the sandbox keeps no others.
  return { id: user.id, name: user.name, username: user.username };
}

export function renderTweet(tweet: SandboxTweet, fields: Set<string>): Record<string, unknown> {
  const out: Record<string, unknown> = { id: tweet.id, text: tweet.text, edit_history_tweet_ids: [tweet.id] };
  if (fields.has('created_at')) out.created_at = tweet.createdAt.toISOString();
  if (fields.has('author_id')) out.author_id = tweet.authorId;
  if (fields.has('conversation_id')) out.conversation_id = tweet.conversationId;
  if (fields.has('in_reply_to_user_id') && tweet.inReplyToUserId !== null) {
    out.in_reply_to_user_id = tweet.inReplyToUserId;
  }
  if (fields.has('referenced_tweets') && tweet.inReplyToTweetId !== null) {
    out.referenced_tweets = [{ type: 'replied_to', id: tweet.inReplyToTweetId }];
  }
  return out;
}

/** `{ data, includes, meta }`, or `{ meta: { result_count: 0 } }` when nothing matched */
export function timelineBody(
  state: SandboxState,
  tweets: SandboxTweet[],
  selection: FieldSelection,
  meta: { nextToken?: string; previousToken?: string },
): Record<string, unknown> {
  if (tweets.length === 0) return { meta: { result_count: 0 } };
  const users = new Map<string, SandboxUser>();
  const referenced = new Map<string, SandboxTweet>();
  const addUser = (id: string | null) => {
    const user = id === null ? undefined : state.users.get(id);
    if (user) users.set(user.id, user);
  };
  for (const tweet of tweets) {
    if (selection.expansions.has('author_id')) addUser(tweet.authorId);
    if (selection.expansions.has('in_reply_to_user_id')) addUser(tweet.inReplyToUserId);
    if (selection.expansions.has('referenced_tweets.id') && tweet.inReplyToTweetId !== null) {
      const parent = state.tweet(tweet.inReplyToTweetId);
      if (parent) referenced.set(parent.id, parent);
    }
  }
  const body: Record<string, unknown> = { data: tweets.map((t) => renderTweet(t, selection.tweetFields)) };
  const includes: Record<string, unknown> = {};
  if (users.size > 0) includes.users = [...users.values()].map(renderUser);
  if (referenced.size > 0) {
    includes.tweets = [...referenced.values()].map((t) => renderTweet(t, selection.tweetFields));
  }
  if (Object.keys(includes).length > 0) body.includes = includes;
  const metaOut: Record<string, unknown> = {
    newest_id: tweets[0]!.id,
    oldest_id: tweets[tweets.length - 1]!.id,
    result_count: tweets.length,
  };
  if (meta.nextToken !== undefined) metaOut.next_token = meta.nextToken;
  if (meta.previousToken !== undefined) metaOut.previous_token = meta.previousToken;
  body.meta = metaOut;
  return body;
}

// Pagination tokens are opaque to clients; here they carry the id to continue below.
export function encodePageToken(kind: string, id: string): string {
  return Buffer.from(`${kind}:${id}`).toString('base64url');
}

export function decodePageToken(kind: string, token: string): bigint | null {
  const decoded = Buffer.from(token, 'base64url').toString();
  const [k, id] = decoded.split(':');
  if (k !== kind || id === undefined || !/^\d{1,20}$/.test(id)) return null;
  return BigInt(id);
}
