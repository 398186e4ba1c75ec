import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { X_MAX_WEIGHTED_LENGTH, xWeightedLength } from '../../services/platforms/x/x-weighted-length.js';
import { apiContext, FormBody, jsonBody, type PlatformApiOptions, platformApi } from '../core/http.js';
import type { SandboxRateLimits } from '../core/rate-limits.js';
import { token } from './oauth.js';
import {
  type ApiReply,
  decodePageToken,
  encodePageToken,
  fieldSelection,
  problems,
  renderTweet,
  renderUser,
  timelineBody,
  xShapes,
} from './responses.js';
import type { SandboxState, SandboxTweet } from './state.js';

// The X API v2 subset Hallmonitor uses, over the sandbox state, as a Fastify plugin under /2.

export interface ApiContext {
  state: SandboxState;
  userId: string;
  query: URLSearchParams;
  body: unknown;
  params: Record<string, string>;
  enterprise: boolean;
  mentionReach: number;
  now: number;
}

export interface XApiOptions {
  state: SandboxState;
  faults: PlatformApiOptions['faults'];
  rateLimits: SandboxRateLimits;
  enterprise: boolean;
  mentionReach: number;
  now: () => number;
}

const SEVEN_DAYS_MS = 7 * 24 * 60 * 60 * 1000;
const USER_TIMELINE_REACH = 3200;

// ---- timelines -------------------------------------------------------------------------------

interface PageQuery {
  maxResults: number;
  sinceId?: bigint;
  untilId?: bigint;
  below?: bigint;
  startTime?: number;
  endTime?: number;
  reach: number;
  filter?: (tweet: SandboxTweet) => boolean;
}

/** newest first over an ascending list, only the `reach` most recent tweets reachable */
function pageDescending(
  list: readonly SandboxTweet[],
  q: PageQuery,
): { tweets: SandboxTweet[]; more: boolean } {
  const out: SandboxTweet[] = [];
  let reachable = 0;
  for (let i = list.length - 1; i >= 0; i -= 1) {
    const tweet = list[i]!;
    if (tweet.deleted) continue;
    reachable += 1;
    if (reachable > q.reach) break;
    if (q.sinceId !== undefined && tweet.big <= q.sinceId) break;
    if (q.untilId !== undefined && tweet.big >= q.untilId) continue;
    if (q.below !== undefined && tweet.big >= q.below) continue;
    const at = tweet.createdAt.getTime();
    if (q.startTime !== undefined && at < q.startTime) continue;
    if (q.endTime !== undefined && at > q.endTime) continue;
    if (q.filter && !q.filter(tweet)) continue;
    if (out.length === q.maxResults) return { tweets: out, more: true };
    out.push(tweet);
  }
  return { tweets: out, more: false };
}

type Parsed<T> = { ok: true; value: T } | { ok: false; reply: ApiReply };

function parseTimelineQuery(
  query: URLSearchParams,
  options: { min: number; max: number; fallback: number; tokenKind: string; tokenParams: string[] },
): Parsed<Omit<PageQuery, 'reach'> & { hadToken: boolean }> {
  const out: Omit<PageQuery, 'reach'> & { hadToken: boolean } = {
    maxResults: options.fallback,
    hadToken: false,
  };
  const max = query.get('max_results');
  if (max !== null) {
    const n = Number(max);
    if (!Number.isInteger(n) || n < options.min || n > options.max) {
      return {
        ok: false,
        reply: problems.invalidRequest(
          'max_results',
          max,
          `The \`max_results\` query parameter value [${max}] is not between ${options.min} and ${options.max}`,
        ),
      };
    }
    out.maxResults = n;
  }
  for (const name of ['since_id', 'until_id'] as const) {
    const value = query.get(name);
    if (value === null) continue;
    if (!/^\d{1,20}$/.test(value)) {
      return {
        ok: false,
        reply: problems.invalidRequest(
          name,
          value,
          `The \`${name}\` query parameter value [${value}] is not valid`,
        ),
      };
    }
    if (name === 'since_id') out.sinceId = BigInt(value);
    else out.untilId = BigInt(value);
  }
  for (const name of ['start_time', 'end_time'] as const) {
    const value = query.get(name);
    if (value === null) continue;
    const at = Date.parse(value);
    if (Number.isNaN(at)) {
      return {
        ok: false,
        reply: problems.invalidRequest(
          name,
          value,
          `Invalid '${name}':'${value}'. '${name}' must be an ISO 8601 time`,
        ),
      };
    }
    if (name === 'start_time') out.startTime = at;
    else out.endTime = at;
  }
  for (const name of options.tokenParams) {
    const token = query.get(name);
    if (token === null) continue;
    const below = decodePageToken(options.tokenKind, token);
    if (below === null) {
      return {
        ok: false,
        reply: problems.invalidRequest(
          name,
          token,
          `The \`${name}\` query parameter value [${token}] is not valid`,
        ),
      };
    }
    out.below = below;
    out.hadToken = true;
  }
  return { ok: true, value: out };
}

function timeline(
  ctx: ApiContext,
  list: readonly SandboxTweet[],
  kind: string,
  options: { min: number; max: number; fallback: number; reach: number; tokenParams: string[] },
  filter?: (tweet: SandboxTweet) => boolean,
  validate?: (q: Omit<PageQuery, 'reach'>) => ApiReply | null,
): ApiReply {
  const parsed = parseTimelineQuery(ctx.query, { ...options, tokenKind: kind });
  if (!parsed.ok) return parsed.reply;
  const refusal = validate?.(parsed.value);
  if (refusal) return refusal;
  const q: PageQuery = { ...parsed.value, reach: options.reach };
  if (filter) q.filter = filter;
  const { tweets, more } = pageDescending(list, q);
  const meta: { nextToken?: string; previousToken?: string } = {};
  const last = tweets[tweets.length - 1];
  if (more && last) meta.nextToken = encodePageToken(kind, last.id);
  const first = tweets[0];
  if (parsed.value.hadToken && first) meta.previousToken = encodePageToken(`${kind}-prev`, first.id);
  return { status: 200, body: timelineBody(ctx.state, tweets, fieldSelection(ctx.query), meta) };
}

function requireUserParam(ctx: ApiContext, name = 'id'): ApiReply | null {
  const id = ctx.params[name] ?? '';
  return ctx.state.users.has(id) ? null : problems.notFound('user', id, 200);
}

// ---- search --------------------------------------------------------------------------------

/** `conversation_id:`, `from:`, `-from:`, `is:reply`, `-is:retweet`, OR between conversation ids, free words */
function searchFilter(
  ctx: ApiContext,
  query: string,
): { conversations: string[]; test: (t: SandboxTweet) => boolean } {
  const conversations: string[] = [];
  const tests: ((t: SandboxTweet) => boolean)[] = [];
  for (const raw of query.replace(/[()]/g, ' ').split(/\s+/)) {
    if (raw === '' || raw === 'OR') continue;
    const negated = raw.startsWith('-');
    const term = negated ? raw.slice(1) : raw;
    let test: ((t: SandboxTweet) => boolean) | null = null;
    if (term.startsWith('conversation_id:')) {
      conversations.push(term.slice('conversation_id:'.length));
      continue;
    }
    if (term.startsWith('from:')) {
      const user = ctx.state.user(term.slice(5));
      test = (t) => t.authorId === user?.id;
    } else if (term === 'is:reply') {
      test = (t) => t.inReplyToTweetId !== null;
    } else if (term === 'is:retweet') {
      test = () => false;
    } else {
      const word = term.toLowerCase();
      test = (t) => t.text.toLowerCase().includes(word);
    }
    const positive = test;
    tests.push(negated ? (t) => !positive(t) : positive);
  }
  return { conversations, test: (t) => tests.every((fn) => fn(t)) };
}

function searchRecent(ctx: ApiContext): ApiReply {
  const query = ctx.query.get('query');
  if (query === null || query.trim() === '' || query.length > 512) {
    return problems.invalidRequest('query', query ?? '', 'The `query` query parameter value is not valid');
  }
  const { conversations, test } = searchFilter(ctx, query);
  let candidates: SandboxTweet[];
  if (conversations.length > 0) {
    candidates = conversations.flatMap((id) => [...ctx.state.conversation(id)]);
    candidates.sort((a, b) => (a.big < b.big ? -1 : a.big > b.big ? 1 : 0));
  } else {
    candidates = [...ctx.state.tweets.values()];
  }
  const windowStart = ctx.now - SEVEN_DAYS_MS;
  return timeline(
    ctx,
    candidates,
    'search',
    {
      min: 10,
      max: 100,
      fallback: 10,
      reach: Number.MAX_SAFE_INTEGER,
      tokenParams: ['next_token', 'pagination_token'],
    },
    (t) => t.createdAt.getTime() >= windowStart && test(t),
    (q) => {
      if (q.startTime !== undefined && q.startTime < windowStart) {
        const value = ctx.query.get('start_time') ?? '';
        return problems.invalidRequest(
          'start_time',
          value,
          `Invalid 'start_time':'${value}'. 'start_time' must be on or after ${new Date(windowStart).toISOString()}`,
        );
      }
      return null;
    },
  );
}

// ---- writes --------------------------------------------------------------------------------

function bodyField(body: unknown, key: string): unknown {
  return body !== null && typeof body === 'object' ? (body as Record<string, unknown>)[key] : undefined;
}

function postTweet(ctx: ApiContext): ApiReply {
  const text = bodyField(ctx.body, 'text');
  if (typeof text !== 'string' || text.length === 0) {
    return problems.invalidRequest(
      'text',
      String(text ?? ''),
      'The `text` field is required and must be a string',
    );
  }
  // X weighs the text (a link 23, CJK and emoji 2), as the product's length check does.
  if (xWeightedLength(text) > X_MAX_WEIGHTED_LENGTH) {
    return problems.forbidden('You are not permitted to create a Tweet longer than 280 characters.');
  }
  const reply = bodyField(ctx.body, 'reply');
  const inReplyTo = bodyField(reply, 'in_reply_to_tweet_id');
  let parent: SandboxTweet | null = null;
  if (inReplyTo !== undefined) {
    parent = typeof inReplyTo === 'string' ? (ctx.state.tweet(inReplyTo) ?? null) : null;
    if (parent === null) {
      return problems.forbidden('You attempted to reply to a Tweet that is deleted or not visible to you.');
    }
  }
  const tweet = ctx.state.postReply(ctx.userId, text, parent);
  return {
    status: 201,
    body: { data: { id: tweet.id, text: tweet.text, edit_history_tweet_ids: [tweet.id] } },
  };
}

/** A single post; one deleted (or never there) answers 200 with a resource-not-found error, as X does. */
function lookupTweet(ctx: ApiContext): ApiReply {
  const id = ctx.params.id ?? '';
  const tweet = ctx.state.tweet(id);
  if (!tweet) return problems.notFound('tweet', id, 200);
  return { status: 200, body: { data: renderTweet(tweet, fieldSelection(ctx.query).tweetFields) } };
}

function deleteTweet(ctx: ApiContext): ApiReply {
  const id = ctx.params.id ?? '';
  const tweet = ctx.state.tweet(id);
  if (!tweet) return problems.notFound('tweet', id);
  if (tweet.authorId !== ctx.userId) {
    return problems.forbidden('You are not allowed to delete a Tweet you did not author.');
  }
  ctx.state.deleteTweet(id);
  return { status: 200, body: { data: { deleted: true } } };
}

function hideReply(ctx: ApiContext): ApiReply {
  const id = ctx.params.id ?? '';
  const hidden = bodyField(ctx.body, 'hidden');
  if (typeof hidden !== 'boolean') {
    return problems.invalidRequest(
      'hidden',
      String(hidden),
      'The `hidden` field is required and must be a boolean',
    );
  }
  const tweet = ctx.state.tweet(id);
  if (!tweet) return problems.notFound('tweet', id);
  const root = ctx.state.tweets.get(tweet.conversationId);
  if (tweet.id === tweet.conversationId || root?.authorId !== ctx.userId) {
    return problems.forbidden(
      'You attempted to hide a Tweet that is not a reply to a conversation you started. You can only hide replies to your own conversations.',
    );
  }
  if (hidden) ctx.state.hidden.add(id);
  else ctx.state.hidden.delete(id);
  return { status: 200, body: { data: { hidden } } };
}

function relationWrite(kind: 'muting' | 'blocking', on: boolean) {
  return (ctx: ApiContext): ApiReply => {
    if (kind === 'blocking' && !ctx.enterprise) return problems.clientForbidden();
    const source = on ? (ctx.params.id ?? '') : (ctx.params.source_user_id ?? '');
    if (source !== ctx.userId) {
      return problems.forbidden(`You are not permitted to change ${kind} on behalf of another user.`);
    }
    const target = on ? bodyField(ctx.body, 'target_user_id') : ctx.params.target_user_id;
    if (typeof target !== 'string' || !ctx.state.users.has(target)) {
      return problems.invalidRequest(
        'target_user_id',
        String(target ?? ''),
        'The `target_user_id` is not a valid user',
      );
    }
    if (target === source)
      return problems.forbidden(`You cannot ${kind === 'muting' ? 'mute' : 'block'} yourself.`);
    const index = kind === 'muting' ? ctx.state.mutes : ctx.state.blocks;
    let set = index.get(source);
    if (!set) {
      set = new Set();
      index.set(source, set);
    }
    if (on) set.add(target);
    else set.delete(target);
    return { status: 200, body: { data: { [kind]: on } } };
  };
}

function relationList(kind: 'muting' | 'blocking') {
  return (ctx: ApiContext): ApiReply => {
    if (kind === 'blocking' && !ctx.enterprise) return problems.clientForbidden();
    const id = ctx.params.id ?? '';
    if (id !== ctx.userId) return problems.forbidden(`You can only read your own ${kind} list.`);
    const max = Number(ctx.query.get('max_results') ?? '100');
    if (!Number.isInteger(max) || max < 1 || max > 1000) {
      const value = ctx.query.get('max_results') ?? '';
      return problems.invalidRequest(
        'max_results',
        value,
        `The \`max_results\` query parameter value [${value}] is not between 1 and 1000`,
      );
    }
    const all = [...((kind === 'muting' ? ctx.state.mutes : ctx.state.blocks).get(id) ?? [])].reverse();
    const token = ctx.query.get('pagination_token');
    let offset = 0;
    if (token !== null) {
      const decoded = decodePageToken(kind, token);
      if (decoded === null) {
        return problems.invalidRequest(
          'pagination_token',
          token,
          'The `pagination_token` query parameter value is not valid',
        );
      }
      offset = Number(decoded);
    }
    const page = all.slice(offset, offset + max);
    if (page.length === 0) return { status: 200, body: { meta: { result_count: 0 } } };
    const meta: Record<string, unknown> = { result_count: page.length };
    if (offset + max < all.length) meta.next_token = encodePageToken(kind, String(offset + max));
    const users = page.flatMap((uid) => {
      const user = ctx.state.users.get(uid);
      return user ? [renderUser(user)] : [];
    });
    return { status: 200, body: { data: users, meta } };
  };
}

type Handler = (ctx: ApiContext) => ApiReply;

/** register with `prefix: '/2'` */
export async function xApi(api: FastifyInstance, options: XApiOptions): Promise<void> {
  const { state, rateLimits } = options;
  platformApi(api, {
    faults: options.faults,
    log: state.requestLog,
    now: options.now,
    shapes: xShapes,
    tokenUser: (bearer) => state.tokenUser(bearer),
    limitOf: (endpoint) => rateLimits.limitOf(endpoint),
  });

  // The token endpoint authenticates the client, not a user.
  api.post('/oauth2/token', async (request, reply) => {
    const body = request.body instanceof FormBody ? request.body.fields : stringFields(request.body);
    const answer = token(state, body, request.headers.authorization);
    return reply.code(answer.status).send(answer.body);
  });

  /** a user-context endpoint: a live bearer token, then its rate-limit window, then the handler */
  const route = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, handle: Handler) => {
    api.route({
      method,
      url,
      handler: async (request: FastifyRequest, reply: FastifyReply) => {
        const ctx = apiContext(request);
        if (ctx.bearer === undefined || ctx.tokenUser === null || ctx.endpoint === null) {
          const refusal = problems.unauthorized();
          return reply.code(refusal.status).send(refusal.body);
        }
        const verdict = rateLimits.consume(ctx.bearer, ctx.endpoint);
        reply.headers(xShapes.rateLimitHeaders(verdict.limit, verdict.remaining, verdict.reset));
        if (!verdict.allowed) {
          const limited = problems.tooManyRequests();
          return reply.code(limited.status).send(limited.body);
        }
        const result = handle({
          state,
          userId: ctx.tokenUser,
          query: ctx.query,
          body: jsonBody(request.body),
          params: request.params as Record<string, string>,
          enterprise: options.enterprise,
          mentionReach: options.mentionReach,
          now: options.now(),
        });
        return reply.code(result.status).send(result.body);
      },
    });
  };

  route('GET', '/users/me', (ctx) => {
    const user = ctx.state.users.get(ctx.userId);
    return user ? { status: 200, body: { data: renderUser(user) } } : problems.unauthorized();
  });
  route('GET', '/users/:id/mentions', (ctx) => {
    const missing = requireUserParam(ctx);
    if (missing) return missing;
    return timeline(ctx, ctx.state.mentionsOf(ctx.params.id ?? ''), 'mentions', {
      min: 5,
      max: 100,
      fallback: 10,
      reach: ctx.mentionReach,
      tokenParams: ['pagination_token'],
    });
  });
  route('GET', '/users/:id/tweets', (ctx) => {
    const missing = requireUserParam(ctx);
    if (missing) return missing;
    const exclude = new Set((ctx.query.get('exclude') ?? '').split(','));
    return timeline(
      ctx,
      ctx.state.tweetsBy(ctx.params.id ?? ''),
      'tweets',
      { min: 5, max: 100, fallback: 10, reach: USER_TIMELINE_REACH, tokenParams: ['pagination_token'] },
      (t) => !(exclude.has('replies') && t.inReplyToTweetId !== null),
    );
  });
  route('GET', '/tweets/search/recent', searchRecent);
  route('POST', '/tweets', postTweet);
  route('GET', '/tweets/:id', lookupTweet);
  route('DELETE', '/tweets/:id', deleteTweet);
  route('PUT', '/tweets/:id/hidden', hideReply);
  route('POST', '/users/:id/muting', relationWrite('muting', true));
  route('DELETE', '/users/:source_user_id/muting/:target_user_id', relationWrite('muting', false));
  route('GET', '/users/:id/muting', relationList('muting'));
  route('POST', '/users/:id/blocking', relationWrite('blocking', true));
  route('DELETE', '/users/:source_user_id/blocking/:target_user_id', relationWrite('blocking', false));
  route('GET', '/users/:id/blocking', relationList('blocking'));
}

function stringFields(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (value === null || typeof value !== 'object') return out;
  for (const [key, field] of Object.entries(value)) {
    if (typeof field === 'string') out[key] = field;
  }
  return out;
}
