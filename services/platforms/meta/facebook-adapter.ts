import {
  assertCapable,
  boundCommentText,
  type Capabilities,
  type Credentials,
  type FetchOptions,
  type FetchPage,
  type IncomingComment,
  type PlatformAdapter,
  PlatformError,
  type PollCursor,
  type PostedReply,
  type ReadStateKind,
} from '../adapter.js';
import { facebookCapabilities as facebookCapabilitiesOf } from '../platform-profiles.js';
import { GraphClient } from './meta-client.js';
import { metaCommentActions } from './meta-comment-actions.js';
import { isNotFound } from './meta-errors.js';
import { type CommentPage, fetchMetaPages, type MetaPost, type MetaSource } from './meta-fetch.js';
import {
  FB_COMMENT_FIELDS,
  type FbComment,
  fbBlocked,
  fbBlockResult,
  fbComment,
  fbHidden,
  fbMe,
  fbPost,
  graphCreated,
  graphList,
  graphObjectId,
  graphSuccess,
  readItems,
} from './meta-schemas.js';
import type { UsagePolicy } from './meta-usage.js';

export interface MetaAdapterOptions {
  /** the Page access token (long-lived; Instagram uses the linked Page's) */
  credentials: Credentials;
  appSecret: string;
  graphBaseUrl?: string;
  graphVersion?: string;
  /** Facebook: the Page id. Instagram: the Instagram business account id. */
  account: { platformUserId: string; handle: string };
  requestTimeoutMs?: number;
  usagePolicy?: UsagePolicy;
  /** first poll: how far back comments are read (default 7 days) */
  firstPollLookbackMs?: number;
  /** how old a post may be and still be walked by a poll (default 30 days) */
  postWindowMs?: number;
  now?: () => number;
}

const DAY_MS = 24 * 60 * 60_000;

/** The registry's (platform-profiles.ts) is the one definition: the UI and action rules read it too. */
export const facebookCapabilities: Capabilities = facebookCapabilitiesOf();

/** Turns a Graph answer's list into posts, ignoring what the poll does not need. */
function postsFrom(raw: readonly unknown[], at: string) {
  const read = readItems(fbPost, raw, at);
  const posts: MetaPost[] = read.items.map((p) => ({
    id: p.id,
    createdAt: p.created_time,
    ...(p.updated_time ? { updatedAt: p.updated_time } : {}),
  }));
  return { posts, quarantined: read.quarantined };
}

export function fbToComment(c: FbComment, postId: string): IncomingComment {
  const bounded = boundCommentText(c.message);
  return {
    externalId: c.id,
    conversationId: postId,
    inReplyToExternalId: c.parent?.id ?? postId,
    authorExternalId: c.from?.id ?? '',
    authorHandle: c.from?.name ?? '',
    authorName: c.from?.name ?? '',
    text: bounded.text,
    textTruncated: bounded.textTruncated,
    createdAt: c.created_time,
    url: c.permalink_url ?? `https://www.facebook.com/${c.id}`,
    foundBy: 'conversation',
  };
}

/** Graph leaves a comment's author out when the token lacks pages_read_user_content: nobody to ban. */
function requireAuthor(userId: string): void {
  if (userId === '') {
    throw new PlatformError(
      'permanent',
      'Facebook did not say who wrote the comment, so they cannot be banned here',
      {
        reason: 'the author is unknown (the connection lacks pages_read_user_content); ban them in Facebook',
      },
    );
  }
}

export function createFacebookPageAdapter(options: MetaAdapterOptions): PlatformAdapter {
  const now = options.now ?? Date.now;
  const pageId = options.account.platformUserId;
  const client = new GraphClient({
    platform: 'facebook',
    accessToken: options.credentials.accessToken,
    appSecret: options.appSecret,
    ...(options.graphBaseUrl ? { graphBaseUrl: options.graphBaseUrl } : {}),
    ...(options.graphVersion ? { graphVersion: options.graphVersion } : {}),
    ...(options.requestTimeoutMs ? { requestTimeoutMs: options.requestTimeoutMs } : {}),
    ...(options.usagePolicy ? { usagePolicy: options.usagePolicy } : {}),
    now,
  });
  const capabilities = facebookCapabilities;

  const LIST = 'GET /{page-id}/feed';
  const COMMENTS = 'GET /{post-id}/comments';
  const source: MetaSource = {
    listEndpoint: LIST,
    commentsEndpoint: COMMENTS,
    ownId: pageId,
    async listPosts(next, windowStart) {
      const body =
        next === undefined
          ? await client.get(
              LIST,
              `${pageId}/feed`,
              {
                fields: 'id,created_time,updated_time',
                limit: 25,
                since: Math.floor(windowStart.getTime() / 1000),
              },
              graphList,
            )
          : await client.getNext(LIST, next, graphList);
      return { ...postsFrom(body.data, 'data'), ...(body.paging?.next ? { next: body.paging.next } : {}) };
    },
    async readComments(post, next): Promise<CommentPage> {
      const body =
        next === undefined
          ? await client.get(
              COMMENTS,
              `${post.id}/comments`,
              {
                fields: FB_COMMENT_FIELDS,
                filter: 'stream',
                order: 'reverse_chronological',
                limit: 100,
              },
              graphList,
            )
          : await client.getNext(COMMENTS, next, graphList);
      const read = readItems(fbComment, body.data, 'data');
      const comments = read.items.map((c) => fbToComment(c, post.id));
      const oldest = read.items.reduce<Date | null>(
        (min, c) => (min === null || c.created_time < min ? c.created_time : min),
        null,
      );
      return {
        comments,
        quarantined: read.quarantined,
        ...(body.paging?.next ? { next: body.paging.next } : {}),
        oldestIfOrdered: oldest,
      };
    },
  };

  async function readHidden(commentId: string): Promise<boolean> {
    const body = await client.get('GET /{comment-id}', commentId, { fields: 'id,is_hidden' }, fbHidden);
    return body.is_hidden;
  }

  const { setHidden, deleteObject } = metaCommentActions(client, capabilities, {
    platformName: 'Facebook',
    readHidden,
    hideEndpoint: 'POST /{comment-id} is_hidden',
    hideParams: (hidden) => ({ is_hidden: hidden }),
    deleteEndpoint: 'DELETE /{comment-id}',
  });

  async function isBanned(userId: string): Promise<boolean> {
    const body = await client.get('GET /{page-id}/blocked', `${pageId}/blocked`, { user: userId }, fbBlocked);
    return body.data.some((u) => u.id === userId);
  }

  return {
    platform: 'facebook',
    capabilities,

    fetchPages(cursor: PollCursor | null, fetchOptions: FetchOptions): AsyncIterable<FetchPage> {
      assertCapable(capabilities, 'fetch');
      return fetchMetaPages(
        {
          client,
          source,
          now,
          firstPollLookbackMs: options.firstPollLookbackMs ?? 7 * DAY_MS,
          postWindowMs: options.postWindowMs ?? 30 * DAY_MS,
        },
        cursor,
        fetchOptions,
      );
    },

    async reply(inReplyToExternalId, text): Promise<PostedReply> {
      assertCapable(capabilities, 'reply');
      const created = await client.post(
        'POST /{comment-id}/comments',
        `${inReplyToExternalId}/comments`,
        { message: text },
        graphCreated,
      );
      return { externalId: created.id, text, url: `https://www.facebook.com/${created.id}` };
    },

    hide: (id) => setHidden(id, true),
    unhide: (id) => setHidden(id, false),
    delete: (id) => deleteObject(id, 'delete'),
    deleteOwnPost: (id) => deleteObject(id, 'deleteOwnPost'),

    async block(userId) {
      assertCapable(capabilities, 'block');
      requireAuthor(userId);
      const body = await client.post(
        'POST /{page-id}/blocked',
        `${pageId}/blocked`,
        { user: userId },
        fbBlockResult,
      );
      if (body[userId] !== true && !(await isBanned(userId))) {
        throw new PlatformError('permanent', 'POST /{page-id}/blocked: Facebook did not ban the person', {
          endpoint: 'POST /{page-id}/blocked',
        });
      }
      return { alreadyInState: false };
    },

    async unblock(userId) {
      assertCapable(capabilities, 'unblock');
      requireAuthor(userId);
      await client.delete('DELETE /{page-id}/blocked', `${pageId}/blocked`, { user: userId }, graphSuccess);
      return { alreadyInState: false };
    },

    async mute() {
      assertCapable(capabilities, 'mute');
      throw new PlatformError('unsupported', 'mute is not supported', { capability: 'mute' });
    },
    async unmute() {
      assertCapable(capabilities, 'unmute');
      throw new PlatformError('unsupported', 'unmute is not supported', { capability: 'unmute' });
    },
    async report() {
      assertCapable(capabilities, 'report');
      throw new PlatformError('unsupported', 'report is not supported', { capability: 'report' });
    },

    async commentGone(externalId: string) {
      try {
        await client.get('GET /{comment-id}', externalId, { fields: 'id' }, graphObjectId);
        return false;
      } catch (error) {
        if (isNotFound(error)) return true;
        throw error;
      }
    },

    async readState(kind: ReadStateKind, target: string) {
      if (kind === 'hidden') {
        assertCapable(capabilities, 'readHidden');
        return readHidden(target);
      }
      if (kind === 'blocked') {
        assertCapable(capabilities, 'readBlocked');
        return isBanned(target);
      }
      assertCapable(capabilities, 'readMuted');
      return false;
    },

    async verifyCredentials() {
      // With a Page token, /me is the Page.
      const me = await client.get('GET /me', 'me', { fields: 'id,name' }, fbMe);
      if (me.id !== pageId) {
        throw new PlatformError('auth', 'GET /me: the token belongs to another Page', {
          endpoint: 'GET /me',
        });
      }
      return { platformUserId: me.id, handle: me.name, name: me.name };
    },

    async refreshCredentials() {
      // A long-lived Page token does not expire and cannot be refreshed: check it still works
      // (an expired or revoked one is an 'auth' error: the account needs connecting again).
      await client.get('GET /me', 'me', { fields: 'id,name' }, fbMe);
      return options.credentials;
    },

    rateLimitState: () => {
      const state = client.rateLimitState('graph');
      return state === null ? [] : [state];
    },
    close: () => client.close(),
  };
}
