import {
  type ActionResult,
  assertCapable,
  type Credentials,
  type FetchOptions,
  type FetchPage,
  type OnCredentialsRefreshed,
  type PlatformAdapter,
  PlatformError,
  type PlatformIdentity,
  type PollCursor,
  type PostedReply,
  type ReadStateKind,
} from '../adapter.js';
import { xCapabilities } from '../platform-profiles.js';
import { createXClientFactory } from './x-client.js';
import { fetchXPages } from './x-fetch.js';
import {
  parseX,
  xBlocking,
  xDeleted,
  xHidden,
  xLookup,
  xMe,
  xMuting,
  xPostedTweet,
  xUserPage,
} from './x-schemas.js';
import { XSession } from './x-session.js';

export interface XAdapterOptions {
  credentials: Credentials;
  clientId: string;
  clientSecret?: string;
  /** the sandbox's origin; production leaves it out */
  apiBaseUrl?: string;
  onCredentialsRefreshed: OnCredentialsRefreshed;
  account: { platformUserId: string; handle: string };
  /** enterprise-tier apps may block and read blocks through the API */
  enterprise?: boolean;
  requestTimeoutMs?: number;
  /** the most pages a muted/blocked lookup reads (1,000 users a page) */
  maxStatePages?: number;
  now?: () => number;
}

/** X's capabilities live in the platform registry, which needs no adapter to answer. */
export { xCapabilities };

export function createXAdapter(options: XAdapterOptions): PlatformAdapter {
  const now = options.now ?? Date.now;
  const factory = createXClientFactory(
    options.apiBaseUrl === undefined ? {} : { apiBaseUrl: options.apiBaseUrl },
  );
  const sessionOptions = {
    credentials: options.credentials,
    clientId: options.clientId,
    onCredentialsRefreshed: options.onCredentialsRefreshed,
    factory,
    requestTimeoutMs: options.requestTimeoutMs ?? 30_000,
    now,
  };
  const session = new XSession(
    options.clientSecret === undefined
      ? sessionOptions
      : { ...sessionOptions, clientSecret: options.clientSecret },
  );
  const capabilities = xCapabilities(options.enterprise ?? false);
  const accountId = options.account.platformUserId;
  const maxStatePages = options.maxStatePages ?? 20;

  const action = async (endpoint: string, send: Parameters<XSession['call']>[2]) =>
    session.call(endpoint, 'action', send);

  async function setHidden(externalId: string, hidden: boolean): Promise<ActionResult> {
    assertCapable(capabilities, hidden ? 'hide' : 'unhide');
    const endpoint = 'PUT /2/tweets/:id/hidden';
    const body = await action(endpoint, (client) =>
      client.v2.put('tweets/:id/hidden', { hidden }, { fullResponse: true, params: { id: externalId } }),
    );
    const parsed = parseX(xHidden, body, endpoint);
    if (parsed.data.hidden !== hidden) {
      throw new PlatformError('permanent', `${endpoint} did not change the reply`, { endpoint });
    }
    return { alreadyInState: false };
  }

  async function isInUserList(kind: 'muting' | 'blocking', target: string): Promise<boolean> {
    const endpoint = `GET /2/users/:id/${kind}`;
    let paginationToken: string | undefined;
    for (let page = 0; page < maxStatePages; page += 1) {
      const params =
        paginationToken === undefined
          ? { max_results: 1000 }
          : { max_results: 1000, pagination_token: paginationToken };
      const body = await session.call(endpoint, 'read', async (client) => {
        const paginator =
          kind === 'muting'
            ? await client.v2.userMutingUsers(accountId, params)
            : await client.v2.userBlockingUsers(accountId, params);
        return { data: paginator.data, rateLimit: paginator.rateLimit };
      });
      const parsed = parseX(xUserPage, body, endpoint);
      if (parsed.data?.some((user) => user.id === target)) return true;
      paginationToken = parsed.meta.next_token;
      if (paginationToken === undefined) return false;
    }
    throw new PlatformError('permanent', `${endpoint}: list longer than ${maxStatePages} pages`, {
      endpoint,
    });
  }

  return {
    platform: 'x',
    capabilities,

    fetchPages(cursor: PollCursor | null, fetchOptions: FetchOptions): AsyncIterable<FetchPage> {
      assertCapable(capabilities, 'fetch');
      return fetchXPages({ session, accountId, now }, cursor, fetchOptions);
    },

    async reply(inReplyToExternalId, text): Promise<PostedReply> {
      assertCapable(capabilities, 'reply');
      const endpoint = 'POST /2/tweets';
      const body = await action(endpoint, (client) =>
        client.v2.post(
          'tweets',
          { text, reply: { in_reply_to_tweet_id: inReplyToExternalId } },
          { fullResponse: true },
        ),
      );
      const parsed = parseX(xPostedTweet, body, endpoint);
      return {
        externalId: parsed.data.id,
        text: parsed.data.text,
        url: `https://x.com/${options.account.handle}/status/${parsed.data.id}`,
      };
    },

    hide: (externalId) => setHidden(externalId, true),
    unhide: (externalId) => setHidden(externalId, false),

    async delete() {
      assertCapable(capabilities, 'delete');
      throw new PlatformError('unsupported', 'delete is not supported', { capability: 'delete' });
    },

    async deleteOwnPost(externalId) {
      assertCapable(capabilities, 'deleteOwnPost');
      const endpoint = 'DELETE /2/tweets/:id';
      try {
        const body = await action(endpoint, (client) =>
          client.v2.delete('tweets/:id', undefined, { fullResponse: true, params: { id: externalId } }),
        );
        parseX(xDeleted, body, endpoint);
        return { alreadyInState: false };
      } catch (error) {
        // A retried delete finds the post gone: the job's goal is met.
        if (error instanceof PlatformError && error.kind === 'permanent' && error.status === 404) {
          return { alreadyInState: true };
        }
        throw error;
      }
    },

    async mute(authorExternalId) {
      assertCapable(capabilities, 'mute');
      const endpoint = 'POST /2/users/:id/muting';
      const body = await action(endpoint, (client) =>
        client.v2.post(
          'users/:id/muting',
          { target_user_id: authorExternalId },
          { fullResponse: true, params: { id: accountId } },
        ),
      );
      parseX(xMuting, body, endpoint);
      return { alreadyInState: false };
    },

    async unmute(authorExternalId) {
      assertCapable(capabilities, 'unmute');
      const endpoint = 'DELETE /2/users/:source_user_id/muting/:target_user_id';
      const body = await action(endpoint, (client) =>
        client.v2.delete('users/:source_user_id/muting/:target_user_id', undefined, {
          fullResponse: true,
          params: { source_user_id: accountId, target_user_id: authorExternalId },
        }),
      );
      parseX(xMuting, body, endpoint);
      return { alreadyInState: false };
    },

    async block(authorExternalId) {
      assertCapable(capabilities, 'block');
      const endpoint = 'POST /2/users/:id/blocking';
      const body = await action(endpoint, (client) =>
        client.v2.post(
          'users/:id/blocking',
          { target_user_id: authorExternalId },
          { fullResponse: true, params: { id: accountId } },
        ),
      );
      parseX(xBlocking, body, endpoint);
      return { alreadyInState: false };
    },

    async unblock(authorExternalId) {
      assertCapable(capabilities, 'unblock');
      const endpoint = 'DELETE /2/users/:source_user_id/blocking/:target_user_id';
      const body = await action(endpoint, (client) =>
        client.v2.delete('users/:source_user_id/blocking/:target_user_id', undefined, {
          fullResponse: true,
          params: { source_user_id: accountId, target_user_id: authorExternalId },
        }),
      );
      parseX(xBlocking, body, endpoint);
      return { alreadyInState: false };
    },

    async report() {
      assertCapable(capabilities, 'report');
      throw new PlatformError('unsupported', 'report is not supported', { capability: 'report' });
    },

    async commentGone(externalId: string) {
      const endpoint = 'GET /2/tweets/:id';
      const body = await session.call(endpoint, 'read', (client) =>
        client.v2.get(`tweets/${encodeURIComponent(externalId)}`, {}, { fullResponse: true }),
      );
      const parsed = parseX(xLookup, body, endpoint);
      if (parsed.data) return false;
      return !!parsed.errors?.some(
        (e) => e.type?.endsWith('/resource-not-found') || e.title === 'Not Found Error',
      );
    },

    async readState(kind: ReadStateKind, target: string) {
      if (kind === 'hidden') {
        assertCapable(capabilities, 'readHidden');
        throw new PlatformError('unsupported', 'readHidden is not supported', { capability: 'readHidden' });
      }
      assertCapable(capabilities, kind === 'muted' ? 'readMuted' : 'readBlocked');
      return isInUserList(kind === 'muted' ? 'muting' : 'blocking', target);
    },

    async verifyCredentials(): Promise<PlatformIdentity> {
      const endpoint = 'GET /2/users/me';
      const body = await session.call(endpoint, 'read', (client) =>
        client.v2.get('users/me', { 'user.fields': 'username,name' }, { fullResponse: true }),
      );
      const me = parseX(xMe, body, endpoint).data;
      return { platformUserId: me.id, handle: me.username, name: me.name };
    },

    refreshCredentials: () => session.refresh(),
    rateLimitState: () => session.rateLimits.snapshot(),
    close: () => factory.close(),
  };
}
