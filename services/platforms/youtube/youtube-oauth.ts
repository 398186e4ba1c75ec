import { createHash, randomBytes } from 'node:crypto';
import { youtube_v3 } from '@googleapis/youtube';
import {
  CodeChallengeMethod,
  type Credentials as GoogleCredentials,
  OAuth2Client,
} from 'google-auth-library';
import { PlatformError } from '../adapter.js';
import type { XAuthLink, XConnectedAccount, XOAuth } from '../x/x-oauth.js';
import { classifyYouTubeError } from './youtube-errors.js';
import { parseYt, ytChannelList } from './youtube-schemas.js';

// Connecting a YouTube channel: Google's OAuth 2.0 consent with PKCE, offline access (a refresh
// token) and the youtube.force-ssl scope (read and moderate comments). On the consent page the
// person picks which of their channels (brand accounts) Hallmonitor may manage; channels.list
// mine=true then says which one they picked, and the connect flow compares it with the approved one.

export const YOUTUBE_SCOPES = ['https://www.googleapis.com/auth/youtube.force-ssl'] as const;

export interface YouTubeOAuthOptions {
  clientId: string;
  clientSecret: string;
  authorizeUrl: string;
  tokenUrl: string;
  apiBaseUrl: string;
  requestTimeoutMs?: number;
  now?: () => number;
}

export function createYouTubeOAuth(options: YouTubeOAuthOptions): XOAuth {
  const now = options.now ?? Date.now;
  const client = () =>
    new OAuth2Client({
      clientId: options.clientId,
      clientSecret: options.clientSecret,
      endpoints: { oauth2AuthBaseUrl: options.authorizeUrl, oauth2TokenUrl: options.tokenUrl },
    });
  return {
    authLink(redirectUri, scopes = YOUTUBE_SCOPES): XAuthLink {
      const oauth = client();
      const codeVerifier = randomVerifier();
      const state = randomVerifier().slice(0, 43);
      const url = oauth.generateAuthUrl({
        access_type: 'offline',
        prompt: 'consent select_account',
        scope: [...scopes],
        redirect_uri: redirectUri,
        state,
        code_challenge_method: CodeChallengeMethod.S256,
        code_challenge: challengeOf(codeVerifier),
      });
      return { url, state, codeVerifier };
    },

    async exchangeCode(code, codeVerifier, redirectUri): Promise<XConnectedAccount> {
      const oauth = client();
      let tokens: GoogleCredentials;
      try {
        ({ tokens } = await oauth.getToken({ code, codeVerifier, redirect_uri: redirectUri }));
      } catch (error) {
        throw classifyYouTubeError(error, 'POST /token', 'read', now());
      }
      if (!tokens.access_token || !tokens.refresh_token) {
        throw new PlatformError(
          'auth',
          'Google gave no refresh token; connect again and allow offline access',
        );
      }
      oauth.setCredentials(tokens);
      const yt = new youtube_v3.Youtube({
        auth: oauth as unknown as youtube_v3.Options['auth'],
        rootUrl: `${options.apiBaseUrl.replace(/\/+$/, '')}/`,
        retry: false,
        timeout: options.requestTimeoutMs ?? 30_000,
      });
      let body: unknown;
      try {
        body = (await yt.channels.list({ part: ['snippet'], mine: true })).data;
      } catch (error) {
        throw classifyYouTubeError(error, 'channels.list', 'read', now());
      }
      const channel = parseYt(ytChannelList, body, 'channels.list').items[0];
      if (!channel) throw new PlatformError('auth', 'The Google account chosen has no YouTube channel');
      return {
        credentials: {
          accessToken: tokens.access_token,
          refreshToken: tokens.refresh_token,
          expiresAt: new Date(tokens.expiry_date ?? now() + 3_600_000),
          ...(tokens.scope ? { scope: tokens.scope.split(' ') } : {}),
        },
        platformUserId: channel.id,
        handle: (channel.snippet.customUrl ?? channel.snippet.title).replace(/^@/, ''),
        name: channel.snippet.title,
      };
    },
    close() {},
  };
}

function randomVerifier(): string {
  return randomBytes(48).toString('base64url');
}

function challengeOf(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
}
