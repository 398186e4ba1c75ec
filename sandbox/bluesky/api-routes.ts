import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { SandboxFaults } from '../core/faults.js';
import { apiContext, jsonBody, type PlatformShapes, platformApi } from '../core/http.js';
import { type RateLimitVerdict, type RateLimitWindow, SandboxRateLimits } from '../core/rate-limits.js';
import {
  BLOCK,
  BlueskyError,
  type BlueskyState,
  didOf,
  POST,
  POST_MAX_GRAPHEMES,
  type RepoRecord,
  THREADGATE,
} from './state.js';
import { notificationView, postView, profileDetailed } from './views.js';

// The XRPC methods Hallmonitor calls, under /xrpc/{nsid}, answering as a PDS (with its AppView
// proxied behind it) answers: lexicon-shaped bodies, XRPC error bodies ({error, message}),
// RateLimit-* headers on every answer and a 429 RateLimitExceeded past a limit, and the shared
// faults of sandbox/core.

/** the PDS's published limits: every call per account, sign-ins per identifier, record writes */
export const BLUESKY_RATE_LIMITS: Readonly<Record<string, RateLimitWindow>> = {
  global: { limit: 3000, windowSeconds: 300 },
  createSession: { limit: 30, windowSeconds: 300 },
  write: { limit: 1666, windowSeconds: 3600 },
};

/** the report reasons com.atproto.moderation.defs knows */
const REPORT_REASONS = new Set(
  ['Spam', 'Violation', 'Misleading', 'Sexual', 'Rude', 'Other', 'Appeal'].map(
    (r) => `com.atproto.moderation.defs#reason${r}`,
  ),
);

export const blueskyShapes: PlatformShapes = {
  unavailable: (status) =>
    status === 502 || status === 504
      ? { error: 'UpstreamFailure', message: 'Upstream Failure' }
      : { error: 'InternalServerError', message: 'Internal Server Error' },
  tooManyRequests: () => ({ error: 'RateLimitExceeded', message: 'Rate Limit Exceeded' }),
  rateLimitHeaders: (limit, remaining, reset) => ({
    'RateLimit-Limit': String(limit),
    'RateLimit-Remaining': String(remaining),
    'RateLimit-Reset': String(reset),
    'RateLimit-Policy': `${limit};w=300`,
  }),
  routeNotFound: () => ({ error: 'MethodNotImplemented', message: 'Method Not Implemented' }),
  routeNotFoundStatus: 501,
  payloadTooLarge: () => ({ error: 'PayloadTooLarge', message: 'request entity too large' }),
};

export interface BlueskyApiOptions {
  state: BlueskyState;
  faults: SandboxFaults;
  rateLimits: SandboxRateLimits;
  now: () => number;
}

export function blueskyRateLimits(
  overrides: Partial<Record<string, RateLimitWindow>>,
  now: () => number,
): SandboxRateLimits {
  return new SandboxRateLimits(BLUESKY_RATE_LIMITS, overrides, now);
}

type Handler = (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;

function fail(status: number, error: string, message: string): never {
  throw new BlueskyError(status, error, message);
}

const graphemes = (text: string) =>
  [...new Intl.Segmenter('en', { granularity: 'grapheme' }).segment(text)].length;

function strongRef(value: unknown): boolean {
  const ref = value as { uri?: unknown; cid?: unknown } | null;
  return typeof ref?.uri === 'string' && ref.uri.startsWith('at://') && typeof ref.cid === 'string';
}

export async function blueskyApi(scope: FastifyInstance, options: BlueskyApiOptions): Promise<void> {
  const { state, rateLimits } = options;
  platformApi(scope, {
    faults: options.faults,
    log: state.requestLog,
    now: options.now,
    shapes: blueskyShapes,
    tokenUser: (token) => state.tokenUser(token),
    limitOf: () => rateLimits.limitOf('global'),
  });

  /** counts the call; the tightest window's figures go in the headers, a spent one answers 429 */
  function meter(reply: FastifyReply, key: string, windows: readonly string[]): void {
    const verdicts = windows.map((window) => rateLimits.consume(key, window));
    const tightest = verdicts.reduce<RateLimitVerdict | null>(
      (worst, v) =>
        worst === null ||
        (!v.allowed && worst.allowed) ||
        (v.allowed === worst.allowed && v.remaining < worst.remaining)
          ? v
          : worst,
      null,
    );
    if (tightest === null) return;
    reply.headers(blueskyShapes.rateLimitHeaders(tightest.limit, tightest.remaining, tightest.reset));
    if (!tightest.allowed) fail(429, 'RateLimitExceeded', 'Rate Limit Exceeded');
  }

  /** an XRPC method: errors thrown as BlueskyError answer in the XRPC error body */
  function method(kind: 'query' | 'procedure', nsid: string, handle: Handler): void {
    const wrapped: Handler = async (request, reply) => {
      try {
        const body = await handle(request, reply);
        if (reply.sent) return reply;
        if (body === undefined) return reply.code(200).send();
        return reply.code(200).type('application/json; charset=utf-8').send(body);
      } catch (error) {
        if (!(error instanceof BlueskyError)) throw error;
        return reply.code(error.status).send({ error: error.error, message: error.message });
      }
    };
    if (kind === 'query') scope.get(`/${nsid}`, wrapped);
    else scope.post(`/${nsid}`, wrapped);
  }

  /** the signed-in account, after metering its call */
  function signedIn(request: FastifyRequest, reply: FastifyReply, write = false): string {
    const did = state.authenticate(apiContext(request).bearer);
    meter(reply, did, write ? ['global', 'write'] : ['global']);
    return did;
  }

  const input = (request: FastifyRequest): Record<string, unknown> => {
    const body = jsonBody(request.body);
    if (body === null || typeof body !== 'object' || Array.isArray(body))
      fail(400, 'InvalidRequest', 'Request body must be a JSON object');
    return body as Record<string, unknown>;
  };
  const param = (request: FastifyRequest, name: string, required = true): string => {
    const value = apiContext(request).query.get(name);
    if (value === null || value === '') {
      if (required) fail(400, 'InvalidRequest', `Error: Params must have the property "${name}"`);
      return '';
    }
    return value;
  };
  const session = (s: { did: string; accessJwt: string; refreshJwt: string }) => ({
    did: s.did,
    handle: state.actors.get(s.did)?.handle ?? 'handle.invalid',
    accessJwt: s.accessJwt,
    refreshJwt: s.refreshJwt,
    active: true,
  });

  // ── sessions ────────────────────────────────────────────────────────────────────────────────

  method('procedure', 'com.atproto.server.createSession', async (request, reply) => {
    const body = input(request);
    const identifier = typeof body.identifier === 'string' ? body.identifier : '';
    const password = typeof body.password === 'string' ? body.password : '';
    if (!identifier || !password)
      fail(400, 'InvalidRequest', 'Input must have the properties "identifier", "password"');
    meter(reply, `signin ${identifier.toLowerCase()}`, ['createSession']);
    const created = state.createSession(identifier, password);
    const actor = state.actors.get(created.did);
    return {
      ...session(created),
      email: `${actor?.handle ?? 'someone'}@example.invalid`,
      emailConfirmed: true,
    };
  });

  method('procedure', 'com.atproto.server.refreshSession', async (request, reply) => {
    const token = apiContext(request).bearer;
    if (token === undefined) fail(401, 'AuthenticationRequired', 'Authentication Required');
    const refreshed = state.refreshSession(token);
    meter(reply, refreshed.did, ['global']);
    return session(refreshed);
  });

  method('query', 'com.atproto.server.getSession', async (request, reply) => {
    const did = signedIn(request, reply);
    const actor = state.actors.get(did);
    return {
      did,
      handle: actor?.handle ?? 'handle.invalid',
      email: `${actor?.handle ?? 'someone'}@example.invalid`,
      emailConfirmed: true,
      active: true,
    };
  });

  // ── reading ─────────────────────────────────────────────────────────────────────────────────

  method('query', 'app.bsky.notification.listNotifications', async (request, reply) => {
    const did = signedIn(request, reply);
    const query = apiContext(request).query;
    const limit = Number(query.get('limit') ?? '50');
    if (!Number.isInteger(limit) || limit < 1 || limit > 100)
      fail(400, 'InvalidRequest', 'Error: limit must be less than or equal to 100');
    const cursor = query.get('cursor');
    const before = cursor === null ? Number.POSITIVE_INFINITY : Number(cursor);
    if (cursor !== null && !Number.isFinite(before)) fail(400, 'InvalidRequest', 'Malformed cursor');
    const found = state.notificationsOf(did, query.getAll('reasons'), before);
    const page = found.slice(0, limit);
    const more = found.length > limit;
    return {
      notifications: page.map((n) => notificationView(state, n, did)),
      ...(more ? { cursor: String(page[page.length - 1]!.seq) } : {}),
      priority: false,
    };
  });

  method('query', 'app.bsky.feed.getPosts', async (request, reply) => {
    const did = signedIn(request, reply);
    const uris = apiContext(request).query.getAll('uris');
    if (uris.length > 25) fail(400, 'InvalidRequest', 'Error: uris must not have more than 25 elements');
    const posts = uris
      .map((uri) => state.record(uri))
      .filter((r): r is RepoRecord => r !== undefined && r.collection === POST);
    return { posts: posts.map((p) => postView(state, p, did)) };
  });

  method('query', 'app.bsky.feed.getPostThread', async (request, reply) => {
    const did = signedIn(request, reply);
    const uri = param(request, 'uri');
    const anchor = state.record(uri);
    if (!anchor || anchor.collection !== POST) fail(400, 'NotFound', `Post not found: ${uri}`);
    const threadOf = (record: RepoRecord, depth: number): Record<string, unknown> => {
      const replies =
        depth <= 0
          ? []
          : [...state.records.values()].filter(
              (r) =>
                !r.deleted &&
                r.collection === POST &&
                (r.value.reply as { parent?: { uri?: string } } | undefined)?.parent?.uri === record.uri,
            );
      return {
        $type: 'app.bsky.feed.defs#threadViewPost',
        post: postView(state, record, did),
        replies: replies.map((r) => threadOf(r, depth - 1)),
      };
    };
    const thread = threadOf(anchor, Math.min(Number(apiContext(request).query.get('depth') ?? '6'), 10));
    const parentUri = (anchor.value.reply as { parent?: { uri?: string } } | undefined)?.parent?.uri;
    const parent = parentUri === undefined ? undefined : state.record(parentUri);
    if (parentUri !== undefined) {
      thread.parent = parent
        ? { $type: 'app.bsky.feed.defs#threadViewPost', post: postView(state, parent, did) }
        : { $type: 'app.bsky.feed.defs#notFoundPost', uri: parentUri, notFound: true };
    }
    const rootUri = (anchor.value.reply as { root?: { uri?: string } } | undefined)?.root?.uri ?? anchor.uri;
    const gate = state.threadgateOf(rootUri);
    return {
      thread,
      ...(gate ? { threadgate: { uri: gate.uri, cid: gate.cid, record: gate.value, lists: [] } } : {}),
    };
  });

  method('query', 'app.bsky.actor.getProfile', async (request, reply) => {
    const did = signedIn(request, reply);
    const actor = state.actor(param(request, 'actor'));
    if (!actor) fail(400, 'InvalidRequest', 'Profile not found');
    return profileDetailed(state, actor, did);
  });

  // ── the repository ──────────────────────────────────────────────────────────────────────────

  /** the repo named is the signed-in account's own (a DID or its handle) */
  const ownRepo = (did: string, repo: unknown) => {
    const actor = typeof repo === 'string' ? state.actor(repo) : undefined;
    if (actor?.did !== did) fail(400, 'InvalidRequest', 'Invalid repo');
  };

  function validate(did: string, collection: string, rkey: string, record: unknown): Record<string, unknown> {
    if (record === null || typeof record !== 'object' || Array.isArray(record))
      fail(400, 'InvalidRequest', 'Input/record must be an object');
    const value = record as Record<string, unknown>;
    const invalid = (why: string): never =>
      fail(400, 'InvalidRecord', `Invalid ${collection} record: ${why}`);
    if (value.$type !== collection) invalid('Record/$type must match the collection');
    if (typeof value.createdAt !== 'string' || Number.isNaN(Date.parse(value.createdAt)))
      invalid('Record/createdAt must be an valid atproto datetime (both RFC-3339 and ISO-8601)');
    if (collection === POST) {
      if (typeof value.text !== 'string') invalid('Record must have the property "text"');
      const text = value.text as string;
      if (graphemes(text) > POST_MAX_GRAPHEMES)
        invalid(`Record/text must not be longer than ${POST_MAX_GRAPHEMES} graphemes`);
      if (Buffer.byteLength(text) > 3000) invalid('Record/text must not be longer than 3000 characters');
      if (value.reply !== undefined) {
        const reply = value.reply as { root?: unknown; parent?: unknown };
        if (!strongRef(reply.root)) invalid('Record/reply must have the property "root"');
        if (!strongRef(reply.parent)) invalid('Record/reply must have the property "parent"');
      }
    } else if (collection === THREADGATE) {
      if (typeof value.post !== 'string' || !value.post.startsWith('at://'))
        invalid('Record must have the property "post"');
      const post = value.post as string;
      if (didOf(post) !== did || post.split('/').pop() !== rkey)
        invalid('Record/post must be the post of the same repository with the same record key');
      const hidden = value.hiddenReplies;
      if (hidden !== undefined) {
        if (!Array.isArray(hidden) || hidden.some((h) => typeof h !== 'string' || !h.startsWith('at://')))
          invalid('Record/hiddenReplies must be an array of at-uris');
        if ((hidden as unknown[]).length > state.hiddenRepliesLimit)
          invalid(`Record/hiddenReplies must not have more than ${state.hiddenRepliesLimit} elements`);
      }
    } else if (collection === BLOCK) {
      if (typeof value.subject !== 'string' || !value.subject.startsWith('did:'))
        invalid('Record/subject must be a did');
      if (value.subject === did) fail(400, 'InvalidRequest', 'Cannot block oneself');
    } else {
      fail(400, 'InvalidRequest', `Hallmonitor's sandbox does not hold ${collection} records`);
    }
    return value;
  }

  const writeResult = (record: RepoRecord) => ({
    uri: record.uri,
    cid: record.cid,
    commit: { cid: record.cid, rev: record.rkey },
    validationStatus: 'valid',
  });

  method('procedure', 'com.atproto.repo.createRecord', async (request, reply) => {
    const did = signedIn(request, reply, true);
    const body = input(request);
    ownRepo(did, body.repo);
    const collection = String(body.collection ?? '');
    const rkey = typeof body.rkey === 'string' ? body.rkey : state.nextRkey();
    const value = validate(did, collection, rkey, body.record);
    if (state.record(`at://${did}/${collection}/${rkey}`))
      fail(400, 'InvalidRequest', 'Record already exists');
    return writeResult(state.putRecord(did, collection, rkey, value));
  });

  method('procedure', 'com.atproto.repo.putRecord', async (request, reply) => {
    const did = signedIn(request, reply, true);
    const body = input(request);
    ownRepo(did, body.repo);
    const collection = String(body.collection ?? '');
    const rkey =
      typeof body.rkey === 'string'
        ? body.rkey
        : fail(400, 'InvalidRequest', 'Input must have the property "rkey"');
    const value = validate(did, collection, rkey, body.record);
    const current = state.record(`at://${did}/${collection}/${rkey}`);
    if (body.swapRecord !== undefined && (current?.cid ?? null) !== body.swapRecord) {
      fail(400, 'InvalidSwap', `Record was at ${current?.cid ?? 'null'}`);
    }
    return writeResult(state.putRecord(did, collection, rkey, value));
  });

  method('procedure', 'com.atproto.repo.deleteRecord', async (request, reply) => {
    const did = signedIn(request, reply, true);
    const body = input(request);
    ownRepo(did, body.repo);
    const uri = `at://${did}/${String(body.collection ?? '')}/${String(body.rkey ?? '')}`;
    const current = state.record(uri);
    if (body.swapRecord !== undefined && (current?.cid ?? null) !== body.swapRecord) {
      fail(400, 'InvalidSwap', `Record was at ${current?.cid ?? 'null'}`);
    }
    state.deleteRecord(uri);
    return {
      commit: {
        cid: current?.cid ?? 'bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm',
        rev: state.nextRkey(),
      },
    };
  });

  method('query', 'com.atproto.repo.getRecord', async (request, reply) => {
    signedIn(request, reply);
    const repo = state.actor(param(request, 'repo'));
    const uri = `at://${repo?.did ?? param(request, 'repo')}/${param(request, 'collection')}/${param(request, 'rkey')}`;
    const record = repo ? state.record(uri) : undefined;
    if (!record) fail(400, 'RecordNotFound', `Could not locate record: ${uri}`);
    return { uri: record.uri, cid: record.cid, value: record.value };
  });

  // ── moderation ──────────────────────────────────────────────────────────────────────────────

  for (const [nsid, mute] of [
    ['app.bsky.graph.muteActor', true],
    ['app.bsky.graph.unmuteActor', false],
  ] as const) {
    method('procedure', nsid, async (request, reply) => {
      const did = signedIn(request, reply, true);
      const body = input(request);
      const actor = typeof body.actor === 'string' ? state.actor(body.actor) : undefined;
      if (!actor) fail(400, 'InvalidRequest', 'Actor not found');
      if (actor.did === did)
        fail(400, 'InvalidRequest', mute ? 'Cannot mute oneself' : 'Cannot unmute oneself');
      if (mute) state.mutesOf(did).add(actor.did);
      else state.mutesOf(did).delete(actor.did);
      return undefined;
    });
  }

  method('procedure', 'com.atproto.moderation.createReport', async (request, reply) => {
    const did = signedIn(request, reply, true);
    const body = input(request);
    const reasonType = String(body.reasonType ?? '');
    if (!REPORT_REASONS.has(reasonType)) fail(400, 'InvalidRequest', `Invalid reasonType: ${reasonType}`);
    const subject = body.subject as Record<string, unknown> | undefined;
    const isPost = subject?.$type === 'com.atproto.repo.strongRef' && strongRef(subject);
    const isRepo = subject?.$type === 'com.atproto.admin.defs#repoRef' && typeof subject.did === 'string';
    if (!subject || (!isPost && !isRepo))
      fail(400, 'InvalidRequest', 'Input/subject must be a repoRef or strongRef');
    if (isPost && !state.record(String(subject.uri))) fail(400, 'InvalidRequest', 'Report subject not found');
    const reason = typeof body.reason === 'string' ? body.reason.slice(0, 20_000) : null;
    const header = request.headers['atproto-proxy'];
    const report = state.addReport({
      reportedBy: did,
      reasonType,
      reason,
      subject,
      proxy: typeof header === 'string' ? header : null,
    });
    return {
      id: report.id,
      reasonType,
      ...(reason === null ? {} : { reason }),
      subject,
      reportedBy: did,
      createdAt: report.createdAt.toISOString(),
    };
  });
}
