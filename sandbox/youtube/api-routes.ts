import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { SandboxFaults } from '../core/faults.js';
import { apiContext, jsonBody, platformApi } from '../core/http.js';
import { type ApiReply, fail, GoogleFailure, googleError, youtubeShapes, ytErrors } from './errors.js';
import type { ModerationStatus, YouTubeState, YtComment, YtToken } from './state.js';
import { YT_SCOPE_FORCE_SSL } from './state.js';

// The YouTube Data API v3 subset Hallmonitor uses, under /youtube/v3 (youtube.googleapis.com):
// commentThreads.list, comments.list / insert / setModerationStatus / delete and channels.list,
// with OAuth bearer tokens, the quota ledger (every call is charged before it runs; over the
// allowance answers 403 quotaExceeded) and Google's error bodies.

/** Google errors a test switches on: the next `count` matching calls answer this error */
export interface GoogleErrorFault {
  status: number;
  reason: string;
  message?: string;
  domain?: string;
  count: number;
  /** a method as the quota names it ('comments.setModerationStatus') */
  method?: string;
}

export class YouTubeFaults {
  errors: GoogleErrorFault[] = [];

  add(fault: Omit<GoogleErrorFault, 'count'> & { count?: number }): void {
    this.errors.push({ ...fault, count: fault.count ?? 1 });
  }

  take(method: string): ApiReply | null {
    const fault = this.errors.find((f) => f.count > 0 && (f.method === undefined || f.method === method));
    if (!fault) return null;
    fault.count -= 1;
    this.errors = this.errors.filter((f) => f.count > 0);
    return googleError(fault.status, fault.reason, fault.message ?? fault.reason, {
      domain: fault.domain ?? 'youtube.api',
    });
  }

  reset(): void {
    this.errors = [];
  }
}

export interface YouTubeApiOptions {
  state: YouTubeState;
  faults: SandboxFaults;
  ytFaults: YouTubeFaults;
  now: () => number;
}

const MAX_REPLIES_IN_THREAD = 5;
const MAX_TEXT = 10_000;

function etag(seed: string): string {
  return Buffer.from(seed).toString('base64url').slice(0, 27);
}

function parts(query: URLSearchParams, allowed: string[]): Set<string> {
  const list = query
    .getAll('part')
    .flatMap((p) => p.split(','))
    .map((p) => p.trim())
    .filter((p) => p !== '');
  if (list.length === 0) fail(400, 'required', 'No filter selected. Expected one of: part', 'global');
  for (const p of list) {
    if (!allowed.includes(p)) fail(400, 'unknownPart', `'${p}'`, 'youtube.part');
  }
  return new Set(list);
}

function maxResults(query: URLSearchParams, fallback: number): number {
  const raw = query.get('maxResults');
  if (raw === null) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 100) {
    fail(
      400,
      'invalidParameter',
      `Invalid value '${raw}'. Values must be within the range: [1, 100]`,
      'youtube.parameter',
    );
  }
  return n;
}

/** keyset paging, newest first: the token names the last item of the page before */
function pageToken(query: URLSearchParams): { at: number; id: string } | null {
  const raw = query.get('pageToken');
  if (raw === null || raw === '') return null;
  const decoded = Buffer.from(raw, 'base64url').toString();
  const match = /^(\d+):([A-Za-z0-9_.-]+)$/.exec(decoded);
  if (!match)
    fail(400, 'invalidPageToken', 'The request specifies an invalid page token.', 'youtube.parameter');
  return { at: Number(match[1]), id: match[2]! };
}

const tokenFor = (c: YtComment) => Buffer.from(`${c.publishedAt.getTime()}:${c.id}`).toString('base64url');

/** newest first; ties broken by id so paging is stable */
const newestFirst = (a: YtComment, b: YtComment) =>
  b.publishedAt.getTime() - a.publishedAt.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);

function after(c: YtComment, cursor: { at: number; id: string }): boolean {
  const t = c.publishedAt.getTime();
  return t < cursor.at || (t === cursor.at && c.id < cursor.id);
}

function escapeDisplay(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;')
    .replace(/\n/g, '<br>');
}

export function commentResource(
  state: YouTubeState,
  c: YtComment,
  viewer: YtToken,
  plain: boolean,
): Record<string, unknown> {
  const author = state.channels.get(c.authorChannelId);
  const snippet: Record<string, unknown> = {
    channelId: c.channelId,
    videoId: c.videoId,
    textDisplay: plain ? c.text : escapeDisplay(c.text),
    authorDisplayName: c.authorName,
    authorProfileImageUrl: `https://yt3.ggpht.example/${c.authorChannelId}=s48`,
    authorChannelUrl: `http://www.youtube.com/${author?.handle ?? `channel/${c.authorChannelId}`}`,
    authorChannelId: { value: c.authorChannelId },
    canRate: true,
    viewerRating: 'none',
    likeCount: 0,
    publishedAt: c.publishedAt.toISOString(),
    updatedAt: c.updatedAt.toISOString(),
  };
  // The raw text goes only to its author; the channel's owner also sees the moderation status.
  if (viewer.channelId === c.authorChannelId) snippet.textOriginal = c.text;
  if (viewer.channelId === c.channelId) snippet.moderationStatus = c.moderationStatus;
  if (c.parentId !== null) snippet.parentId = c.parentId;
  for (const field of c.brokenFields ?? []) delete snippet[field];
  return { kind: 'youtube#comment', etag: etag(`${c.id}${c.updatedAt.getTime()}`), id: c.id, snippet };
}

/** register with `prefix: '/youtube/v3'` */
export async function youtubeApi(api: FastifyInstance, options: YouTubeApiOptions): Promise<void> {
  const { state, ytFaults } = options;
  platformApi(api, {
    faults: options.faults,
    log: state.requestLog,
    now: options.now,
    shapes: youtubeShapes,
    tokenUser: (bearer) => state.accessRecord(bearer)?.channelId ?? null,
    limitOf: () => 0,
  });

  /** authenticates, charges the quota, applies injected errors, then runs the method */
  const method =
    (name: string, run: (token: YtToken, request: FastifyRequest, query: URLSearchParams) => ApiReply) =>
    async (request: FastifyRequest, reply: FastifyReply) => {
      const ctx = apiContext(request);
      ctx.entry.endpoint = name;
      try {
        if (ctx.bearer === undefined) throw new GoogleFailure(ytErrors.loginRequired());
        const token = state.accessRecord(ctx.bearer);
        if (!token) throw new GoogleFailure(ytErrors.authError());
        if (!state.quota.charge(token.clientId, name)) throw new GoogleFailure(ytErrors.quotaExceeded());
        const injected = ytFaults.take(name);
        if (injected) throw new GoogleFailure(injected);
        return send(reply, run(token, request, ctx.query));
      } catch (error) {
        if (error instanceof GoogleFailure) return send(reply, error.reply);
        throw error;
      }
    };

  api.get(
    '/commentThreads',
    method('commentThreads.list', (token, _request, query) => {
      const wanted = parts(query, ['id', 'snippet', 'replies']);
      const channelId = query.get('allThreadsRelatedToChannelId');
      const videoId = query.get('videoId');
      const ids = query.get('id');
      if ([channelId, videoId, ids].filter((v) => v !== null).length !== 1) {
        fail(
          400,
          'incompatibleParameters',
          'The request specifies exactly one filter: allThreadsRelatedToChannelId, videoId or id.',
          'youtube.parameter',
        );
      }
      const status = (query.get('moderationStatus') ?? 'published') as ModerationStatus;
      if (!['published', 'heldForReview', 'likelySpam'].includes(status)) {
        fail(400, 'invalidParameter', `Invalid value for moderationStatus: ${status}`, 'youtube.parameter');
      }
      const plain = query.get('textFormat') === 'plainText';
      let threads: YtComment[];
      if (channelId !== null) {
        if (!state.channels.has(channelId)) {
          fail(404, 'channelNotFound', 'The channel could not be found.', 'youtube.commentThread');
        }
        threads = [...state.threadsOf(channelId)];
      } else if (videoId !== null) {
        if (!state.videos.has(videoId))
          fail(404, 'videoNotFound', 'The video could not be found.', 'youtube.commentThread');
        threads = [...state.comments.values()].filter((c) => c.videoId === videoId && c.parentId === null);
      } else {
        const wantedIds = new Set(ids!.split(','));
        threads = [...state.comments.values()].filter((c) => c.parentId === null && wantedIds.has(c.id));
      }
      const ownerOf = (c: YtComment) => c.channelId === token.channelId;
      if (status !== 'published' && channelId !== null && channelId !== token.channelId) {
        fail(
          403,
          'forbidden',
          'The request is not properly authorized to retrieve the specified comment threads.',
          'youtube.commentThread',
        );
      }
      const repliesWith = (t: YtComment, s: ModerationStatus) =>
        state.replies(t).filter((r) => r.moderationStatus === s);
      const matching = threads
        .filter((t) => !t.deleted)
        .filter((t) =>
          status === 'published'
            ? t.moderationStatus === 'published'
            : ownerOf(t) && (t.moderationStatus === status || repliesWith(t, status).length > 0),
        )
        .sort(newestFirst);
      const size = maxResults(query, 20);
      const cursor = pageToken(query);
      const from = cursor === null ? matching : matching.filter((t) => after(t, cursor));
      const page = from.slice(0, size);
      const items = page.map((t) => {
        const replies = repliesWith(t, status === 'published' ? 'published' : status);
        const item: Record<string, unknown> = {
          kind: 'youtube#commentThread',
          etag: etag(`${t.id}${replies.length}`),
          id: t.id,
        };
        if (wanted.has('snippet')) {
          item.snippet = {
            channelId: t.channelId,
            videoId: t.videoId,
            topLevelComment: commentResource(state, t, token, plain),
            canReply: true,
            totalReplyCount: state.replies(t).filter((r) => r.moderationStatus === 'published').length,
            isPublic: true,
          };
        }
        if (wanted.has('replies') && replies.length > 0) {
          item.replies = {
            comments: replies
              .slice(0, MAX_REPLIES_IN_THREAD)
              .map((r) => commentResource(state, r, token, plain)),
          };
        }
        return item;
      });
      const body: Record<string, unknown> = {
        kind: 'youtube#commentThreadListResponse',
        etag: etag(`threads${matching.length}${cursor?.id ?? ''}`),
        pageInfo: { totalResults: page.length, resultsPerPage: size },
        items,
      };
      if (from.length > size) body.nextPageToken = tokenFor(page[page.length - 1]!);
      return { status: 200, body };
    }),
  );

  api.get(
    '/comments',
    method('comments.list', (token, _request, query) => {
      parts(query, ['id', 'snippet']);
      const parentId = query.get('parentId');
      const ids = query.get('id');
      if ((parentId === null) === (ids === null)) {
        fail(
          400,
          'incompatibleParameters',
          'The request specifies exactly one filter: id or parentId.',
          'youtube.parameter',
        );
      }
      const plain = query.get('textFormat') === 'plainText';
      const visible = (c: YtComment) =>
        !c.deleted &&
        c.moderationStatus !== 'rejected' &&
        (c.moderationStatus === 'published' || c.channelId === token.channelId);
      let list: YtComment[];
      let next: string | undefined;
      const size = maxResults(query, 20);
      if (ids !== null) {
        const wanted = ids.split(',').filter((id) => id !== '');
        if (wanted.length > 50)
          fail(400, 'invalidParameter', 'Too many ids: at most 50', 'youtube.parameter');
        list = wanted.map((id) => state.comments.get(id)).filter((c): c is YtComment => !!c && visible(c));
      } else {
        const parent = state.comments.get(parentId!);
        if (!parent || parent.deleted) {
          fail(404, 'parentCommentNotFound', 'The parent comment could not be found.', 'youtube.comment');
        }
        const all = state.replies(parent).filter(visible).sort(newestFirst);
        const cursor = pageToken(query);
        const from = cursor === null ? all : all.filter((c) => after(c, cursor));
        list = from.slice(0, size);
        if (from.length > size) next = tokenFor(list[list.length - 1]!);
      }
      return {
        status: 200,
        body: {
          kind: 'youtube#commentListResponse',
          etag: etag(`comments${list.length}`),
          ...(next === undefined ? {} : { nextPageToken: next }),
          pageInfo: { totalResults: list.length, resultsPerPage: size },
          items: list.map((c) => commentResource(state, c, token, plain)),
        },
      };
    }),
  );

  api.post(
    '/comments',
    method('comments.insert', (token, request, query) => {
      parts(query, ['id', 'snippet']);
      requireWriteScope(token);
      const body = jsonBody(request.body) as
        | { snippet?: { parentId?: unknown; textOriginal?: unknown } }
        | undefined;
      const parentId = body?.snippet?.parentId;
      const text = body?.snippet?.textOriginal;
      if (typeof parentId !== 'string' || parentId === '') {
        fail(400, 'parentIdMissing', 'No parent ID was specified for the comment.', 'youtube.comment');
      }
      if (typeof text !== 'string' || text.trim() === '') {
        fail(
          400,
          'commentTextRequired',
          'The comment resource being inserted must specify a value for the <code>snippet.textOriginal</code> property.',
          'youtube.comment',
        );
      }
      if (text.length > MAX_TEXT)
        fail(400, 'commentTextTooLong', 'The comment text is too long.', 'youtube.comment');
      const parent = state.comments.get(parentId);
      if (!parent || parent.deleted || parent.moderationStatus === 'rejected') {
        fail(404, 'parentCommentNotFound', 'The parent comment could not be found.', 'youtube.comment');
      }
      if (parent.parentId !== null) {
        fail(
          400,
          'operationNotSupported',
          'A reply must be to a top-level comment (the thread), not to a reply.',
          'youtube.comment',
        );
      }
      const created = state.addComment({ on: parent.id, from: token.channelId, text });
      return { status: 200, body: commentResource(state, created, token, false) };
    }),
  );

  api.post(
    '/comments/setModerationStatus',
    method('comments.setModerationStatus', (token, _request, query) => {
      requireWriteScope(token);
      const ids = (query.get('id') ?? '').split(',').filter((id) => id !== '');
      if (ids.length === 0) fail(400, 'idRequired', 'No comment id was specified.', 'youtube.comment');
      const status = query.get('moderationStatus');
      if (status !== 'heldForReview' && status !== 'published' && status !== 'rejected') {
        fail(400, 'invalidModerationStatus', 'The moderation status is invalid.', 'youtube.comment');
      }
      const ban = query.get('banAuthor') === 'true';
      if (ban && status !== 'rejected') {
        fail(
          400,
          'banWithoutReject',
          'The banAuthor parameter can only be used if moderationStatus is rejected.',
          'youtube.comment',
        );
      }
      const comments = ids.map((id) => state.comments.get(id));
      for (const c of comments) {
        if (!c || c.deleted) throw new GoogleFailure(ytErrors.commentNotFound());
        if (c.channelId !== token.channelId) throw new GoogleFailure(ytErrors.forbidden());
      }
      for (const c of comments) state.setModerationStatus(c!.id, status, ban);
      return { status: 204 };
    }),
  );

  api.delete(
    '/comments',
    method('comments.delete', (token, _request, query) => {
      requireWriteScope(token);
      const comment = state.comments.get(query.get('id') ?? '');
      if (!comment || comment.deleted) throw new GoogleFailure(ytErrors.commentNotFound());
      if (comment.authorChannelId !== token.channelId) throw new GoogleFailure(ytErrors.forbidden());
      comment.deleted = true;
      return { status: 204 };
    }),
  );

  api.get(
    '/channels',
    method('channels.list', (token, _request, query) => {
      parts(query, ['id', 'snippet']);
      if (query.get('mine') !== 'true' && query.get('id') === null) {
        fail(
          400,
          'incompatibleParameters',
          'The request specifies exactly one filter: mine or id.',
          'youtube.parameter',
        );
      }
      const ids = query.get('mine') === 'true' ? [token.channelId] : (query.get('id') ?? '').split(',');
      const items = ids
        .map((id) => state.channels.get(id))
        .filter((c) => c !== undefined)
        .map((c) => ({
          kind: 'youtube#channel',
          etag: etag(c.id),
          id: c.id,
          snippet: {
            title: c.title,
            description: '',
            customUrl: c.handle.toLowerCase(),
            publishedAt: '2015-09-01T08:00:00Z',
          },
        }));
      return {
        status: 200,
        body: {
          kind: 'youtube#channelListResponse',
          etag: etag(`channels${items.length}`),
          pageInfo: { totalResults: items.length, resultsPerPage: 5 },
          items,
        },
      };
    }),
  );
}

function requireWriteScope(token: YtToken): void {
  if (!token.scopes.includes(YT_SCOPE_FORCE_SSL)) throw new GoogleFailure(ytErrors.insufficientScopes());
}

function send(reply: FastifyReply, result: ApiReply): FastifyReply {
  if (result.headers) reply.headers(result.headers);
  if (result.status === 204) return reply.code(204).send();
  return reply.code(result.status).type('application/json; charset=UTF-8').send(result.body);
}
