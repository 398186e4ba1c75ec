import { type Credentials, PlatformError } from '../adapter.js';
import { createXClientFactory } from './x-client.js';
import { classifyXError } from './x-errors.js';
import { parseX, xMe } from './x-schemas.js';
import { credentialsFromTokenResult, TOKEN_ENDPOINT, withTimeout } from './x-session.js';

/** What Hallmonitor asks of an X account: read, reply, hide replies, mute/block, and stay connected. */
export const X_SCOPES = [
  'tweet.read',
  'tweet.write',
  'users.read',
  'tweet.moderate.write',
  'mute.read',
  'mute.write',
  'block.read',
  'block.write',
  'offline.access',
] as const;

export interface XOAuthOptions {
  clientId: string;
  clientSecret?: string;
  apiBaseUrl?: string;
  /** where the person approves; defaults to apiBaseUrl in sandbox mode, x.com otherwise */
  authorizeBaseUrl?: string;
  requestTimeoutMs?: number;
  now?: () => number;
}

export interface XAuthLink {
  url: string;
  /** compare with the callback's `state`; keep both server-side until the callback */
  state: string;
  codeVerifier: string;
}

export interface XConnectedAccount {
  credentials: Credentials;
  platformUserId: string;
  handle: string;
  name: string;
}

export interface XOAuth {
  authLink(redirectUri: string, scopes?: readonly string[]): XAuthLink;
  exchangeCode(code: string, codeVerifier: string, redirectUri: string): Promise<XConnectedAccount>;
  close(): void;
}

export function createXOAuth(options: XOAuthOptions): XOAuth {
  const now = options.now ?? Date.now;
  const timeoutMs = options.requestTimeoutMs ?? 30_000;
  const factoryOptions: { apiBaseUrl?: string; authorizeBaseUrl?: string } = {};
  if (options.apiBaseUrl !== undefined) factoryOptions.apiBaseUrl = options.apiBaseUrl;
  if (options.authorizeBaseUrl !== undefined) factoryOptions.authorizeBaseUrl = options.authorizeBaseUrl;
  const factory = createXClientFactory(factoryOptions);
  const app = () => factory.appClient(options.clientId, options.clientSecret);

  return {
    authLink(redirectUri, scopes = X_SCOPES) {
      const link = app().generateOAuth2AuthLink(redirectUri, { scope: [...scopes] });
      return {
        url: factory.rewriteAuthorizeUrl(link.url),
        state: link.state,
        codeVerifier: link.codeVerifier,
      };
    },

    async exchangeCode(code, codeVerifier, redirectUri) {
      let login: Awaited<ReturnType<ReturnType<typeof app>['loginWithOAuth2']>>;
      try {
        login = await withTimeout(app().loginWithOAuth2({ code, codeVerifier, redirectUri }), timeoutMs);
      } catch (error) {
        const classified = classifyXError(error, TOKEN_ENDPOINT, 'read', now());
        // A bad code, verifier or redirect is 400 invalid_request: the person must start again.
        if (classified instanceof PlatformError && classified.kind === 'permanent') {
          throw new PlatformError('auth', 'authorization code refused', {
            endpoint: TOKEN_ENDPOINT,
            status: classified.status,
            reason: classified.reason,
            cause: error,
          });
        }
        throw classified;
      }
      const credentials = credentialsFromTokenResult(
        {
          access_token: login.accessToken,
          refresh_token: login.refreshToken,
          expires_in: login.expiresIn,
          scope: login.scope.join(' '),
        },
        now(),
        TOKEN_ENDPOINT,
      );
      const endpoint = 'GET /2/users/me';
      let body: unknown;
      try {
        const response = await withTimeout(
          login.client.v2.get('users/me', { 'user.fields': 'username,name' }, { fullResponse: true }),
          timeoutMs,
        );
        body = response.data;
      } catch (error) {
        throw classifyXError(error, endpoint, 'read', now());
      }
      const me = parseX(xMe, body, endpoint).data;
      return { credentials, platformUserId: me.id, handle: me.username, name: me.name };
    },

    close: () => factory.close(),
  };
}
