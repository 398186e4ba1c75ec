import { youtube_v3 } from '@googleapis/youtube';
import { type Credentials as GoogleCredentials, OAuth2Client } from 'google-auth-library';
import {
  type ActionResult,
  assertCapable,
  type BlockContext,
  boundCommentText,
  type Capabilities,
  type Credentials,
  type FetchOptions,
  type FetchPage,
  type IncomingComment,
  isPlatformError,
  type OnCredentialsRefreshed,
  type PlatformAdapter,
  PlatformError,
  type PollCursor,
  type PostedReply,
  type QuarantinedItem,
  type ReadStateKind,
} from '../adapter.js';
import { youtubeCapabilities } from '../platform-profiles.js';
import {
  MAX_REPLY_COUNTS,
  OVERLAP_MS,
  readYouTubeCursor,
  toPollCursor,
  type YouTubePollCursor,
} from './youtube-cursor.js';
import { type CallRole, classifyYouTubeError } from './youtube-errors.js';
import { YOUTUBE_COSTS, type YouTubeMethod } from './youtube-quota.js';
import {
  parseYt,
  readItem,
  type YtComment,
  ytChannelList,
  ytComment,
  ytList,
  ytThread,
} from './youtube-schemas.js';

export interface YouTubeAdapterOptions {
  credentials: Credentials;
  clientId: string;
  clientSecret: string;
  /** https://youtube.googleapis.com, or the sandbox's origin */
  apiBaseUrl?: string;
  /** https://oauth2.googleapis.com/token, or the sandbox's */
  tokenUrl?: string;
  onCredentialsRefreshed: OnCredentialsRefreshed;
  /** the channel id and handle */
  account: { platformUserId: string; handle: string };
  requestTimeoutMs?: number;
  /** first poll: how far back comments are read (default 7 days) */
  firstPollLookbackMs?: number;
  /** how far back a walk looks for new replies in older threads (default 7 days) */
  threadWindowMs?: number;
  now?: () => number;
}

const DAY_MS = 24 * 60 * 60_000;
/** refresh the access token when it has less than this left */
const REFRESH_MARGIN_MS = 2 * 60_000;
const LISTS = ['published', 'heldForReview'] as const;

export function ytCommentUrl(videoId: string, commentId: string): string {
  return `https://www.youtube.com/watch?v=${encodeURIComponent(videoId)}&lc=${encodeURIComponent(commentId)}`;
}

function toIncoming(
  c: YtComment,
  threadVideoId: string | undefined,
  list: (typeof LISTS)[number],
): IncomingComment {
  const videoId = c.snippet.videoId ?? threadVideoId ?? '';
  const bounded = boundCommentText(c.snippet.textOriginal ?? c.snippet.textDisplay);
  const name = c.snippet.authorDisplayName;
  return {
    externalId: c.id,
    conversationId: videoId,
    inReplyToExternalId: c.snippet.parentId ?? videoId,
    authorExternalId: c.snippet.authorChannelId?.value ?? '',
    authorHandle: name.replace(/^@/, ''),
    authorName: name,
    text: bounded.text,
    textTruncated: bounded.textTruncated,
    createdAt: c.snippet.publishedAt,
    url: ytCommentUrl(videoId, c.id),
    foundBy: 'conversation',
    ...(heldOnArrival(c, list) ? { heldByPlatform: true } : {}),
  };
}

/**
 * The held list returns a thread when its top comment or any reply is held, so the comment's own
 * status decides; the list only where the status is missing (it is sent to the channel owner).
 */
function heldOnArrival(c: YtComment, list: (typeof LISTS)[number]): boolean {
  const status = c.snippet.moderationStatus;
  return status === undefined ? list === 'heldForReview' : status === 'heldForReview';
}

/** a reply's thread: YouTube replies only to top-level comments, so a reply to a reply joins its thread */
const threadOf = (commentId: string) => commentId.split('.')[0]!;

export function createYouTubeAdapter(options: YouTubeAdapterOptions): PlatformAdapter & {
  /** units this adapter's calls spent, by Google's cost table */
  quotaUnitsSpent(): number;
} {
  const now = options.now ?? Date.now;
  const channelId = options.account.platformUserId;
  const capabilities: Capabilities = youtubeCapabilities();
  let credentials = options.credentials;
  let unitsSpent = 0;

  const auth = new OAuth2Client({
    clientId: options.clientId,
    clientSecret: options.clientSecret,
    // Hallmonitor refreshes itself, so the new token is stored before it is used.
    eagerRefreshThresholdMillis: 0,
    ...(options.tokenUrl ? { endpoints: { oauth2TokenUrl: options.tokenUrl } } : {}),
  });
  const applyCredentials = (c: Credentials) =>
    auth.setCredentials({
      access_token: c.accessToken,
      ...(c.refreshToken ? { refresh_token: c.refreshToken } : {}),
      // Always an expiry: without one the library refreshes on any 401 or 403 behind our back.
      expiry_date: c.expiresAt?.getTime() ?? now() + 60 * 60_000,
    });
  applyCredentials(credentials);
  const controller = new AbortController();
  const yt = new youtube_v3.Youtube({
    auth: auth as unknown as youtube_v3.Options['auth'],
    rootUrl: `${(options.apiBaseUrl ?? 'https://youtube.googleapis.com').replace(/\/+$/, '')}/`,
    retry: false,
    timeout: options.requestTimeoutMs ?? 30_000,
    signal: controller.signal,
  });

  async function refresh(): Promise<Credentials> {
    if (!credentials.refreshToken) {
      throw new PlatformError('auth', 'the YouTube access token expired and there is no refresh token');
    }
    let answer: { credentials: GoogleCredentials };
    try {
      answer = await auth.refreshAccessToken();
    } catch (error) {
      throw classifyYouTubeError(error, 'POST /token', 'read', now());
    }
    const token = answer.credentials;
    if (typeof token.access_token !== 'string' || token.access_token === '') {
      throw new PlatformError('malformed', 'POST /token answered without an access token', {
        endpoint: 'POST /token',
      });
    }
    const next: Credentials = {
      accessToken: token.access_token,
      refreshToken: token.refresh_token ?? credentials.refreshToken,
      expiresAt: new Date(token.expiry_date ?? now() + 3_600_000),
      ...(token.scope
        ? { scope: token.scope.split(' ') }
        : credentials.scope
          ? { scope: credentials.scope }
          : {}),
    };
    await options.onCredentialsRefreshed(next);
    credentials = next;
    applyCredentials(next);
    return next;
  }

  /** one API call: a fresh token first, its units counted, its failure classified */
  async function call<T>(
    method: YouTubeMethod,
    role: CallRole,
    send: () => Promise<{ data: unknown; status: number }>,
    parse: (body: unknown) => T,
  ): Promise<T> {
    if (credentials.expiresAt && credentials.expiresAt.getTime() - now() < REFRESH_MARGIN_MS) await refresh();
    let refreshed = false;
    for (;;) {
      try {
        const response = await send();
        unitsSpent += YOUTUBE_COSTS[method];
        return parse(response.status === 204 ? {} : response.data);
      } catch (error) {
        const classified = classifyYouTubeError(error, method, role, now());
        if (
          classified.status !== undefined &&
          !(classified.kind === 'rate_limited' && classified.status === 403)
        ) {
          unitsSpent += YOUTUBE_COSTS[method];
        }
        // An access token Google stopped accepting before its time: refresh once, then try again.
        if (classified.status === 401 && !refreshed && credentials.refreshToken) {
          refreshed = true;
          await refresh();
          continue;
        }
        throw classified;
      }
    }
  }

  const commentsById = async (ids: string[], role: CallRole) =>
    call(
      'comments.list',
      role,
      () => yt.comments.list({ part: ['snippet'], id: ids, textFormat: 'plainText', maxResults: 50 }),
      (body) =>
        parseYt(ytList, body, 'comments.list').items.map((item) => parseYt(ytComment, item, 'comments.list')),
    );

  async function readStatus(commentId: string): Promise<YtComment['snippet']['moderationStatus'] | 'gone'> {
    const [found] = await commentsById([commentId], 'action');
    return found ? (found.snippet.moderationStatus ?? 'published') : 'gone';
  }

  async function setStatus(
    commentId: string,
    status: 'heldForReview' | 'published' | 'rejected',
    banAuthor: boolean,
  ): Promise<void> {
    await call(
      'comments.setModerationStatus',
      'action',
      () =>
        yt.comments.setModerationStatus({
          id: [commentId],
          moderationStatus: status,
          ...(banAuthor ? { banAuthor: true } : {}),
        }),
      () => undefined,
    );
    const after = await readStatus(commentId);
    const done = status === 'rejected' ? after === 'gone' || after === 'rejected' : after === status;
    if (!done) {
      throw new PlatformError('permanent', `comments.setModerationStatus: the comment is still ${after}`, {
        endpoint: 'comments.setModerationStatus',
        reason: `YouTube did not change the comment (it is ${after})`,
      });
    }
  }

  async function* walk(cursor: YouTubePollCursor, fetchOptions: FetchOptions): AsyncGenerator<FetchPage> {
    const startedAt = cursor.walk?.startedAt ?? now();
    const floor =
      cursor.since === null
        ? startedAt - (options.firstPollLookbackMs ?? 7 * DAY_MS)
        : cursor.since - OVERLAP_MS;
    const windowStart = Math.min(floor, startedAt - (options.threadWindowMs ?? 7 * DAY_MS));
    const replyCounts: Record<string, number> = { ...cursor.replyCounts };
    let calls = 0;
    let listIndex = cursor.walk ? LISTS.indexOf(cursor.walk.list) : 0;
    let pageToken: string | null = cursor.walk?.pageToken ?? null;

    while (listIndex < LISTS.length) {
      const list = LISTS[listIndex]!;
      if (calls >= fetchOptions.maxPages) {
        yield {
          comments: [],
          cursorAfter: toPollCursor({
            v: 1,
            since: cursor.since,
            walk: { startedAt, list, pageToken },
            replyCounts,
          }),
          rateLimit: null,
        };
        return;
      }
      calls += 1;
      const body = await call(
        'commentThreads.list',
        'read',
        () =>
          yt.commentThreads.list({
            part: ['snippet', 'replies'],
            allThreadsRelatedToChannelId: channelId,
            maxResults: 100,
            order: 'time',
            textFormat: 'plainText',
            ...(list === 'heldForReview' ? { moderationStatus: 'heldForReview' } : {}),
            ...(pageToken === null ? {} : { pageToken }),
          }),
        (raw) => parseYt(ytList, raw, 'commentThreads.list'),
      );
      const comments: IncomingComment[] = [];
      const quarantined: QuarantinedItem[] = [];
      let reachedWindowEnd = false;
      for (const [index, raw] of body.items.entries()) {
        const thread = readItem(ytThread, raw, `items.${index}`, quarantined);
        if (!thread) continue;
        const top = readItem(
          ytComment,
          thread.snippet.topLevelComment,
          `items.${index}.snippet.topLevelComment`,
          quarantined,
        );
        const videoId = thread.snippet.videoId ?? top?.snippet.videoId;
        if (top) {
          if (top.snippet.publishedAt.getTime() < windowStart) reachedWindowEnd = true;
          if (top.snippet.publishedAt.getTime() >= floor) comments.push(toIncoming(top, videoId, list));
        }
        const shown = (thread.replies?.comments ?? []).flatMap((r, i) => {
          const reply = readItem(ytComment, r, `items.${index}.replies.comments.${i}`, quarantined);
          return reply ? [reply] : [];
        });
        for (const reply of shown) {
          if (reply.snippet.publishedAt.getTime() >= floor) comments.push(toIncoming(reply, videoId, list));
        }
        const total = thread.snippet.totalReplyCount;
        if (list === 'published' && total > shown.length && replyCounts[thread.id] !== total) {
          for await (const reply of allReplies(thread.id, floor, quarantined)) {
            comments.push(toIncoming(reply, videoId, list));
          }
          calls += 1;
        }
        if (list === 'published' && total > 0) replyCounts[thread.id] = total;
      }
      const next = body.nextPageToken ?? null;
      const listDone = next === null || reachedWindowEnd;
      if (listDone) {
        listIndex += 1;
        pageToken = null;
      } else pageToken = next;
      const finished = listIndex >= LISTS.length;
      yield {
        comments,
        ...(quarantined.length > 0 ? { quarantined } : {}),
        cursorAfter: toPollCursor(
          finished
            ? { v: 1, since: startedAt, walk: null, replyCounts: bounded(replyCounts) }
            : {
                v: 1,
                since: cursor.since,
                walk: { startedAt, list: LISTS[listIndex]!, pageToken },
                replyCounts,
              },
        ),
        rateLimit: null,
      };
    }
  }

  /** every reply of a thread created since `floor`, newest first, through comments.list */
  async function* allReplies(threadId: string, floor: number, quarantined: QuarantinedItem[]) {
    let pageToken: string | undefined;
    for (let page = 0; page < 20; page += 1) {
      const body = await call(
        'comments.list',
        'read',
        () =>
          yt.comments.list({
            part: ['snippet'],
            parentId: threadId,
            maxResults: 100,
            textFormat: 'plainText',
            ...(pageToken ? { pageToken } : {}),
          }),
        (raw) => parseYt(ytList, raw, 'comments.list'),
      );
      let older = false;
      for (const [index, raw] of body.items.entries()) {
        const reply = readItem(ytComment, raw, `replies.${threadId}.${index}`, quarantined);
        if (!reply) continue;
        if (reply.snippet.publishedAt.getTime() < floor) older = true;
        else yield reply;
      }
      if (older || !body.nextPageToken) return;
      pageToken = body.nextPageToken;
    }
  }

  function bounded(counts: Record<string, number>): Record<string, number> {
    const entries = Object.entries(counts);
    return entries.length <= MAX_REPLY_COUNTS ? counts : Object.fromEntries(entries.slice(-MAX_REPLY_COUNTS));
  }

  const unsupported =
    (capability: 'mute' | 'unmute' | 'report' | 'unblock') => async (): Promise<ActionResult> => {
      assertCapable(capabilities, capability);
      throw new PlatformError('unsupported', `${capability} is not supported`, { capability });
    };

  return {
    platform: 'youtube',
    capabilities,

    fetchPages(cursor: PollCursor | null, fetchOptions: FetchOptions): AsyncIterable<FetchPage> {
      assertCapable(capabilities, 'fetch');
      return walk(readYouTubeCursor(cursor), fetchOptions);
    },

    async reply(inReplyToExternalId, text): Promise<PostedReply> {
      assertCapable(capabilities, 'reply');
      const created = await call(
        'comments.insert',
        'action',
        () =>
          yt.comments.insert({
            part: ['snippet'],
            requestBody: { snippet: { parentId: threadOf(inReplyToExternalId), textOriginal: text } },
          }),
        (body) => parseYt(ytComment, body, 'comments.insert'),
      );
      return {
        externalId: created.id,
        text,
        url: ytCommentUrl(created.snippet.videoId ?? '', created.id),
      };
    },

    async hide(id) {
      assertCapable(capabilities, 'hide');
      await setStatus(id, 'heldForReview', false);
      return { alreadyInState: false };
    },
    async unhide(id) {
      assertCapable(capabilities, 'unhide');
      await setStatus(id, 'published', false);
      return { alreadyInState: false };
    },
    async delete(id) {
      assertCapable(capabilities, 'delete');
      await setStatus(id, 'rejected', false);
      return { alreadyInState: false };
    },
    async deleteOwnPost(id) {
      assertCapable(capabilities, 'deleteOwnPost');
      try {
        await call(
          'comments.delete',
          'action',
          () => yt.comments.delete({ id }),
          () => undefined,
        );
      } catch (error) {
        if (isPlatformError(error, 'permanent') && error.status === 404) return { alreadyInState: true };
        throw error;
      }
      return { alreadyInState: false };
    },

    async block(authorExternalId: string, context?: BlockContext) {
      assertCapable(capabilities, 'block');
      // YouTube bans an author only by rejecting one of their comments with banAuthor.
      const commentId = context?.commentExternalId;
      if (!commentId) {
        throw new PlatformError(
          'permanent',
          'YouTube bans an author only by rejecting one of their comments',
          {
            capability: 'block',
            reason:
              'YouTube bans an author only by rejecting one of their comments; ban them from a comment, or in YouTube Studio',
          },
        );
      }
      void authorExternalId;
      await setStatus(commentId, 'rejected', true);
      return { alreadyInState: false };
    },
    unblock: unsupported('unblock'),
    mute: unsupported('mute'),
    unmute: unsupported('unmute'),
    report: unsupported('report'),

    async readState(kind: ReadStateKind, target: string) {
      if (kind === 'hidden') {
        assertCapable(capabilities, 'readHidden');
        return (await readStatus(target)) === 'heldForReview';
      }
      assertCapable(capabilities, kind === 'blocked' ? 'readBlocked' : 'readMuted');
      return false;
    },

    async heldStates(externalIds: string[]) {
      const found = await commentsById(externalIds.slice(0, 50), 'read');
      const states = new Map<string, 'held' | 'published' | 'removed'>();
      for (const id of externalIds.slice(0, 50)) states.set(id, 'removed');
      for (const c of found) {
        const status = c.snippet.moderationStatus ?? 'published';
        states.set(c.id, status === 'published' ? 'published' : status === 'rejected' ? 'removed' : 'held');
      }
      return states;
    },

    async verifyCredentials() {
      const body = await call(
        'channels.list',
        'read',
        () => yt.channels.list({ part: ['snippet'], mine: true }),
        (raw) => parseYt(ytChannelList, raw, 'channels.list'),
      );
      const channel = body.items[0];
      if (!channel || channel.id !== channelId) {
        throw new PlatformError('auth', 'channels.list: the credentials belong to another channel', {
          endpoint: 'channels.list',
        });
      }
      const handle = (channel.snippet.customUrl ?? channel.snippet.title).replace(/^@/, '');
      return { platformUserId: channel.id, handle, name: channel.snippet.title };
    },

    refreshCredentials: refresh,
    rateLimitState: () => [],
    quotaUnitsSpent: () => unitsSpent,
    close: () => controller.abort(),
  };
}
