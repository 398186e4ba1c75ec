import {
  type ActionResult,
  assertCapable,
  boundCommentText,
  type Capabilities,
  type FetchOptions,
  type FetchPage,
  type IncomingComment,
  type PlatformAdapter,
  PlatformError,
  type PollCursor,
  type PostedReply,
  type QuarantinedItem,
  type ReadStateKind,
} from '../adapter.js';
import { instagramCapabilities as instagramCapabilitiesOf } from '../platform-profiles.js';
import type { MetaAdapterOptions } from './facebook-adapter.js';
import { GraphClient } from './meta-client.js';
import { metaCommentActions } from './meta-comment-actions.js';
import { isNotFound } from './meta-errors.js';
import { type CommentPage, fetchMetaPages, type MetaPost, type MetaSource } from './meta-fetch.js';
import {
  graphCreated,
  graphId,
  graphList,
  graphObjectId,
  graphSuccess,
  IG_COMMENT_FIELDS,
  IG_MENTIONED_FIELDS,
  type IgComment,
  igComment,
  igCommentEnabled,
  igHidden,
  igMe,
  igMedia,
  igMentioned,
  igMentionedComment,
  igReply,
  readItems,
} from './meta-schemas.js';

const DAY_MS = 24 * 60 * 60_000;

/** The registry's (platform-profiles.ts) is the one definition: the UI and action rules read it too. */
export const instagramCapabilities: Capabilities = instagramCapabilitiesOf();

export function igToComment(
  c: IgComment,
  media: { id: string; permalink?: string },
  foundBy: IncomingComment['foundBy'],
): IncomingComment {
  const bounded = boundCommentText(c.text);
  const handle = c.from?.username ?? c.username ?? '';
  return {
    externalId: c.id,
    conversationId: media.id,
    inReplyToExternalId: c.parent_id ?? media.id,
    authorExternalId: c.from?.id ?? '',
    authorHandle: handle,
    authorName: handle,
    text: bounded.text,
    textTruncated: bounded.textTruncated,
    createdAt: c.timestamp,
    url: media.permalink ?? 'https://www.instagram.com/',
    foundBy,
  };
}

export function createInstagramAdapter(options: MetaAdapterOptions): PlatformAdapter {
  const now = options.now ?? Date.now;
  const igUserId = options.account.platformUserId;
  const client = new GraphClient({
    platform: 'instagram',
    accessToken: options.credentials.accessToken,
    appSecret: options.appSecret,
    ...(options.graphBaseUrl ? { graphBaseUrl: options.graphBaseUrl } : {}),
    ...(options.graphVersion ? { graphVersion: options.graphVersion } : {}),
    ...(options.requestTimeoutMs ? { requestTimeoutMs: options.requestTimeoutMs } : {}),
    ...(options.usagePolicy ? { usagePolicy: options.usagePolicy } : {}),
    now,
  });
  const capabilities = instagramCapabilities;

  const LIST = 'GET /{ig-user-id}/media';
  const COMMENTS = 'GET /{ig-media-id}/comments';
  const source: MetaSource = {
    listEndpoint: LIST,
    commentsEndpoint: COMMENTS,
    ownId: igUserId,
    async listPosts(next) {
      const body =
        next === undefined
          ? await client.get(
              LIST,
              `${igUserId}/media`,
              { fields: 'id,timestamp,comments_count,permalink', limit: 25 },
              graphList,
            )
          : await client.getNext(LIST, next, graphList);
      const read = readItems(igMedia, body.data, 'data');
      const posts: MetaPost[] = read.items.map((m) => ({
        id: m.id,
        createdAt: m.timestamp,
        ...(m.comments_count === undefined ? {} : { commentsCount: m.comments_count }),
        ...(m.permalink ? { permalink: m.permalink } : {}),
      }));
      return {
        posts,
        quarantined: read.quarantined,
        ...(body.paging?.next ? { next: body.paging.next } : {}),
      };
    },
    async readComments(post, next): Promise<CommentPage> {
      const body =
        next === undefined
          ? await client.get(
              COMMENTS,
              `${post.id}/comments`,
              { fields: IG_COMMENT_FIELDS, limit: 50 },
              graphList,
            )
          : await client.getNext(COMMENTS, next, graphList);
      const read = readItems(igComment, body.data, 'data');
      const comments: IncomingComment[] = [];
      const quarantined: QuarantinedItem[] = [...read.quarantined];
      for (const [index, c] of read.items.entries()) {
        comments.push(igToComment(c, post, 'conversation'));
        // Replies come nested; a new reply can sit under an old comment, so every one is read.
        const replies = readItems(igReply, c.replies?.data ?? [], `data.${index}.replies.data`);
        quarantined.push(...replies.quarantined);
        for (const r of replies.items)
          comments.push(igToComment({ ...r, parent_id: r.parent_id ?? c.id }, post, 'conversation'));
      }
      return {
        comments,
        quarantined,
        ...(body.paging?.next ? { next: body.paging.next } : {}),
        // Instagram does not promise an order: the whole list is read (bounded by the page cap).
        oldestIfOrdered: null,
      };
    },
  };

  async function readHidden(commentId: string): Promise<boolean> {
    const body = await client.get('GET /{ig-comment-id}', commentId, { fields: 'id,hidden' }, igHidden);
    return body.hidden;
  }

  async function readCommentsEnabled(mediaId: string): Promise<boolean> {
    assertCapable(capabilities, 'turnOffComments');
    const body = await client.get(
      'GET /{ig-media-id}',
      mediaId,
      { fields: 'id,is_comment_enabled' },
      igCommentEnabled,
    );
    return body.is_comment_enabled;
  }

  const { setHidden, deleteObject } = metaCommentActions(client, capabilities, {
    platformName: 'Instagram',
    readHidden,
    hideEndpoint: 'POST /{ig-comment-id} hide',
    hideParams: (hidden) => ({ hide: hidden }),
    deleteEndpoint: 'DELETE /{ig-comment-id}',
  });

  const unsupported =
    (capability: 'block' | 'unblock' | 'mute' | 'unmute' | 'report') => async (): Promise<ActionResult> => {
      assertCapable(capabilities, capability);
      throw new PlatformError('unsupported', `${capability} is not supported`, { capability });
    };

  return {
    platform: 'instagram',
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
      // Instagram refuses a reply to a hidden comment with a Graph error: 'permanent' with its reason.
      const created = await client.post(
        'POST /{ig-comment-id}/replies',
        `${inReplyToExternalId}/replies`,
        { message: text },
        graphCreated,
      );
      return { externalId: created.id, text, url: 'https://www.instagram.com/' };
    },

    hide: (id) => setHidden(id, true),
    unhide: (id) => setHidden(id, false),
    delete: (id) => deleteObject(id, 'delete'),
    deleteOwnPost: (id) => deleteObject(id, 'deleteOwnPost'),
    block: unsupported('block'),
    unblock: unsupported('unblock'),
    mute: unsupported('mute'),
    unmute: unsupported('unmute'),
    report: unsupported('report'),

    async commentGone(externalId: string) {
      try {
        await client.get('GET /{ig-comment-id}', externalId, { fields: 'id' }, graphObjectId);
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
      assertCapable(capabilities, kind === 'blocked' ? 'readBlocked' : 'readMuted');
      return false;
    },

    async verifyCredentials() {
      const me = await client.get('GET /{ig-user-id}', igUserId, { fields: 'id,username,name' }, igMe);
      return { platformUserId: me.id, handle: me.username, name: me.name ?? me.username };
    },

    async refreshCredentials() {
      // The linked Page's long-lived token does not refresh; check it still works.
      await client.get('GET /{ig-user-id}', igUserId, { fields: 'id,username' }, igMe);
      return options.credentials;
    },

    async fetchMention({ commentId }) {
      assertCapable(capabilities, 'fetch');
      if (!graphId.safeParse(commentId).success)
        throw new PlatformError('permanent', 'a mentioned comment id is a Graph id');
      const body = await client.get(
        'GET /{ig-user-id} mentioned_comment',
        igUserId,
        { fields: `mentioned_comment.comment_id(${commentId}){${IG_MENTIONED_FIELDS}}` },
        igMentioned,
      );
      const read = readItems(igMentionedComment, [body.mentioned_comment], 'mentioned_comment');
      return {
        comments: read.items.map((c) => igToComment(c, c.media, 'mention')),
        quarantined: read.quarantined,
      };
    },

    readCommentsEnabled,

    async setCommentsEnabled(mediaId: string, enabled: boolean): Promise<ActionResult> {
      assertCapable(capabilities, 'turnOffComments');
      // Read first: a retry or a second click changes nothing and says so.
      if ((await readCommentsEnabled(mediaId)) === enabled) return { alreadyInState: true };
      await client.post(
        'POST /{ig-media-id} comment_enabled',
        mediaId,
        { comment_enabled: enabled },
        graphSuccess,
      );
      if ((await readCommentsEnabled(mediaId)) !== enabled)
        throw new PlatformError(
          'transient',
          `Instagram accepted the change but the post still has commenting turned ${enabled ? 'off' : 'on'}`,
        );
      return { alreadyInState: false };
    },

    rateLimitState: () => {
      const state = client.rateLimitState('graph');
      return state === null ? [] : [state];
    },
    close: () => client.close(),
  };
}
