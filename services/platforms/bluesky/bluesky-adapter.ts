import { AtUri } from '@atproto/api';
import {
  type ActionResult,
  assertCapable,
  type Capabilities,
  type Credentials,
  type FetchOptions,
  type FetchPage,
  type OnCredentialsRefreshed,
  type PlatformAdapter,
  PlatformError,
  type PollCursor,
  type PostedReply,
  type ReadStateKind,
} from '../adapter.js';
import { blueskyCapabilities as blueskyCapabilitiesOf } from '../platform-profiles.js';
import { BlueskyClient } from './bluesky-client.js';
import { fetchBlueskyPages, postUrl } from './bluesky-fetch.js';
import {
  parseBluesky,
  postsAnswer,
  profileViewer,
  recordAnswer,
  reportAnswer,
  threadgateRecord,
  writeAnswer,
} from './bluesky-schemas.js';

export interface BlueskyAdapterOptions {
  serviceUrl: string;
  credentials: Credentials;
  onCredentialsRefreshed: OnCredentialsRefreshed;
  /** platformUserId: the account's DID */
  account: { platformUserId: string; handle: string };
  requestTimeoutMs?: number;
  firstPollLookbackMs?: number;
  now?: () => number;
}

export const blueskyCapabilities: Capabilities = blueskyCapabilitiesOf();

const POST = 'app.bsky.feed.post';
const THREADGATE = 'app.bsky.feed.threadgate';
const BLOCK = 'app.bsky.graph.block';
/** app.bsky.feed.threadgate's hiddenReplies maxLength */
export const HIDDEN_REPLIES_MAX = 300;
/** Bluesky's own moderation service, where createReport goes */
const BLUESKY_MODERATION = 'did:plc:ar7c4by46qjdydhdevvrndac';
const graphemes = (text: string) =>
  [...new Intl.Segmenter('en', { granularity: 'grapheme' }).segment(text)].length;

const atFull = (limit: number) =>
  new PlatformError(
    'permanent',
    `the thread already hides ${limit} replies, the most Bluesky allows on one post`,
    {
      reason: `This thread already hides ${limit} replies, the most Bluesky allows on one post. Mute or block the person, or report the reply to Bluesky, instead.`,
      capability: 'hide',
    },
  );

export function createBlueskyAdapter(options: BlueskyAdapterOptions): PlatformAdapter {
  const now = options.now ?? Date.now;
  const did = options.account.platformUserId;
  const client = new BlueskyClient({
    serviceUrl: options.serviceUrl,
    credentials: options.credentials,
    did,
    onCredentialsRefreshed: options.onCredentialsRefreshed,
    ...(options.requestTimeoutMs ? { requestTimeoutMs: options.requestTimeoutMs } : {}),
    now,
  });
  const capabilities = blueskyCapabilities;

  /** the post as Bluesky holds it now, or null when it is gone */
  async function readPost(uri: string) {
    const endpoint = 'app.bsky.feed.getPosts';
    const body = await client.call(endpoint, 'read', (agent) =>
      agent.app.bsky.feed.getPosts({ uris: [uri] }),
    );
    return parseBluesky(postsAnswer, body, endpoint).posts.find((p) => p.uri === uri) ?? null;
  }

  async function requirePost(uri: string, doing: string) {
    const post = await readPost(uri);
    if (!post) {
      throw new PlatformError('permanent', `the post no longer exists on Bluesky, so it cannot be ${doing}`, {
        status: 404,
        reason: 'the post was deleted on Bluesky',
      });
    }
    return post;
  }

  /** the root of the school's own thread a reply is in, or an error saying why it cannot be hidden */
  async function ownThreadRoot(replyUri: string, capability: 'hide' | 'unhide' | 'readHidden') {
    const reply = await requirePost(replyUri, capability === 'readHidden' ? 'read' : 'hidden');
    const root = reply.record.reply?.root.uri;
    if (root === undefined || new AtUri(root).host !== did) {
      throw new PlatformError(
        'permanent',
        `${capability}: the post is not a reply in a thread the account started`,
        {
          capability,
          reason:
            'Bluesky lets an account hide replies only in threads it started; mute or block the person, or report the post, instead',
        },
      );
    }
    return new AtUri(root);
  }

  async function readThreadgate(root: AtUri) {
    const endpoint = 'com.atproto.repo.getRecord';
    try {
      const body = await client.call(endpoint, 'read', (agent) =>
        agent.com.atproto.repo.getRecord({ repo: did, collection: THREADGATE, rkey: root.rkey }),
      );
      const answer = parseBluesky(recordAnswer, body, endpoint);
      return { cid: answer.cid ?? null, value: parseBluesky(threadgateRecord, answer.value, endpoint) };
    } catch (error) {
      if (
        error instanceof PlatformError &&
        error.kind === 'permanent' &&
        /RecordNotFound/.test(error.message)
      )
        return null;
      throw error;
    }
  }

  async function setHidden(replyUri: string, hidden: boolean): Promise<ActionResult> {
    assertCapable(capabilities, hidden ? 'hide' : 'unhide');
    const root = await ownThreadRoot(replyUri, hidden ? 'hide' : 'unhide');
    // Two tries: another client may change the threadgate between the read and the write (InvalidSwap).
    for (let attempt = 0; ; attempt += 1) {
      const gate = await readThreadgate(root);
      const list = gate?.value.hiddenReplies ?? [];
      if (list.includes(replyUri) === hidden) return { alreadyInState: true };
      if (hidden && list.length >= HIDDEN_REPLIES_MAX) throw atFull(HIDDEN_REPLIES_MAX);
      const record = {
        // Anything else on the gate (who may reply) is kept; a new gate has no `allow`, so everyone still can.
        ...(gate?.value ?? { post: root.toString(), createdAt: new Date(now()).toISOString() }),
        $type: THREADGATE,
        hiddenReplies: hidden ? [...list, replyUri] : list.filter((u) => u !== replyUri),
      };
      const endpoint = 'com.atproto.repo.putRecord';
      try {
        await client.call(endpoint, 'action', (agent) =>
          agent.com.atproto.repo.putRecord({
            repo: did,
            collection: THREADGATE,
            rkey: root.rkey,
            record,
            swapRecord: gate?.cid ?? null,
          }),
        );
      } catch (error) {
        if (
          error instanceof PlatformError &&
          /hiddenReplies must not have more than (\d+)/.test(error.reason ?? '')
        ) {
          throw atFull(Number(/more than (\d+)/.exec(error.reason ?? '')?.[1] ?? HIDDEN_REPLIES_MAX));
        }
        if (error instanceof PlatformError && error.kind === 'transient' && attempt === 0) continue;
        throw error;
      }
      // Read back: the gate must now say what was asked.
      const after = await readThreadgate(root);
      if ((after?.value.hiddenReplies ?? []).includes(replyUri) !== hidden) {
        throw new PlatformError(
          'permanent',
          `${endpoint}: Bluesky did not ${hidden ? 'hide' : 'unhide'} the reply`,
          {
            endpoint,
          },
        );
      }
      return { alreadyInState: false };
    }
  }

  async function viewerOf(actor: string) {
    const endpoint = 'app.bsky.actor.getProfile';
    const body = await client.call(endpoint, 'read', (agent) => agent.app.bsky.actor.getProfile({ actor }));
    return parseBluesky(profileViewer, body, endpoint).viewer ?? {};
  }

  async function setMuted(actor: string, muted: boolean): Promise<ActionResult> {
    assertCapable(capabilities, muted ? 'mute' : 'unmute');
    if ((await viewerOf(actor)).muted === muted) return { alreadyInState: true };
    const endpoint = muted ? 'app.bsky.graph.muteActor' : 'app.bsky.graph.unmuteActor';
    await client.call(endpoint, 'action', async (agent) => {
      await (muted ? agent.app.bsky.graph.muteActor({ actor }) : agent.app.bsky.graph.unmuteActor({ actor }));
      return { data: null };
    });
    return { alreadyInState: false };
  }

  return {
    platform: 'bluesky',
    capabilities,

    fetchPages(cursor: PollCursor | null, fetchOptions: FetchOptions): AsyncIterable<FetchPage> {
      assertCapable(capabilities, 'fetch');
      return fetchBlueskyPages(
        { client, did, now, firstPollLookbackMs: options.firstPollLookbackMs ?? 7 * 24 * 60 * 60_000 },
        cursor,
        fetchOptions,
      );
    },

    async reply(inReplyToExternalId, text): Promise<PostedReply> {
      assertCapable(capabilities, 'reply');
      if (graphemes(text) > 300) {
        throw new PlatformError('permanent', 'the reply is longer than Bluesky’s 300 characters', {
          reason: 'a Bluesky post holds at most 300 characters',
        });
      }
      const parent = await requirePost(inReplyToExternalId, 'replied to');
      // Root: the thread's first post (the parent's own root, or the parent when it starts the thread).
      const root = parent.record.reply?.root ?? { uri: parent.uri, cid: parent.cid };
      const endpoint = 'com.atproto.repo.createRecord';
      const body = await client.call(endpoint, 'action', (agent) =>
        agent.com.atproto.repo.createRecord({
          repo: did,
          collection: POST,
          record: {
            $type: POST,
            text,
            createdAt: new Date(now()).toISOString(),
            langs: ['en'],
            reply: { root, parent: { uri: parent.uri, cid: parent.cid } },
          },
        }),
      );
      const created = parseBluesky(writeAnswer, body, endpoint);
      return { externalId: created.uri, text, url: postUrl(options.account.handle, created.uri) };
    },

    hide: (uri) => setHidden(uri, true),
    unhide: (uri) => setHidden(uri, false),

    async delete() {
      assertCapable(capabilities, 'delete');
      throw new PlatformError('unsupported', 'delete is not supported', { capability: 'delete' });
    },

    async deleteOwnPost(uri) {
      assertCapable(capabilities, 'deleteOwnPost');
      const at = new AtUri(uri);
      if (at.host !== did || at.collection !== POST) {
        throw new PlatformError('permanent', 'deleteOwnPost: the post is not the account’s own', {
          capability: 'deleteOwnPost',
        });
      }
      if (!(await readPost(uri))) return { alreadyInState: true };
      await client.call('com.atproto.repo.deleteRecord', 'action', (agent) =>
        agent.com.atproto.repo.deleteRecord({ repo: did, collection: POST, rkey: at.rkey }),
      );
      return { alreadyInState: false };
    },

    async block(actor) {
      assertCapable(capabilities, 'block');
      if ((await viewerOf(actor)).blocking) return { alreadyInState: true };
      const endpoint = 'com.atproto.repo.createRecord';
      await client.call(endpoint, 'action', (agent) =>
        agent.com.atproto.repo.createRecord({
          repo: did,
          collection: BLOCK,
          record: { $type: BLOCK, subject: actor, createdAt: new Date(now()).toISOString() },
        }),
      );
      return { alreadyInState: false };
    },

    async unblock(actor) {
      assertCapable(capabilities, 'unblock');
      const blocking = (await viewerOf(actor)).blocking;
      if (!blocking) return { alreadyInState: true };
      await client.call('com.atproto.repo.deleteRecord', 'action', (agent) =>
        agent.com.atproto.repo.deleteRecord({ repo: did, collection: BLOCK, rkey: new AtUri(blocking).rkey }),
      );
      return { alreadyInState: false };
    },

    mute: (actor) => setMuted(actor, true),
    unmute: (actor) => setMuted(actor, false),

    async report(uri, reason) {
      assertCapable(capabilities, 'report');
      const post = await requirePost(uri, 'reported');
      const endpoint = 'com.atproto.moderation.createReport';
      const body = await client.call(endpoint, 'action', (agent) =>
        agent.withProxy('atproto_labeler', BLUESKY_MODERATION).com.atproto.moderation.createReport({
          reasonType: 'com.atproto.moderation.defs#reasonViolation',
          reason: reason.slice(0, 2_000),
          subject: { $type: 'com.atproto.repo.strongRef', uri: post.uri, cid: post.cid },
        }),
      );
      parseBluesky(reportAnswer, body, endpoint);
      return { alreadyInState: false };
    },

    async readState(kind: ReadStateKind, target: string) {
      if (kind === 'hidden') {
        assertCapable(capabilities, 'readHidden');
        const root = await ownThreadRoot(target, 'readHidden');
        return ((await readThreadgate(root))?.value.hiddenReplies ?? []).includes(target);
      }
      if (kind === 'muted') {
        assertCapable(capabilities, 'readMuted');
        return (await viewerOf(target)).muted === true;
      }
      assertCapable(capabilities, 'readBlocked');
      return (await viewerOf(target)).blocking !== undefined;
    },

    async verifyCredentials() {
      const endpoint = 'com.atproto.server.getSession';
      const body = await client.call(endpoint, 'read', (agent) => agent.com.atproto.server.getSession());
      const me = parseBluesky(profileViewer, body, endpoint);
      if (me.did !== did) {
        throw new PlatformError('auth', `${endpoint}: the session belongs to another account`, { endpoint });
      }
      return { platformUserId: me.did, handle: me.handle, name: me.displayName ?? me.handle };
    },

    refreshCredentials: () => client.renewNow(),
    rateLimitState: () => {
      const state = client.rateLimitState();
      return state === null ? [] : [state];
    },
    close: () => client.close(),
  };
}
