import { z } from 'zod';
import { assertAccountAdmin, requireUserId } from '../core/authorization.js';
import type { ServiceContext } from '../core/service-context.js';
import { conflict, preconditionFailed } from '../core/service-error.js';
import { platformDisplayName, platformProfile } from '../platforms/platform-profiles.js';
import type { XOAuth } from '../platforms/x/x-oauth.js';
import { loadAccount } from './account-access.js';
import { accountLabel } from './account-label.js';
import type { ConnectStateStore } from './connect-state-store.js';

/** Statuses an admin may connect (approved) or reconnect (after the tokens stopped working). */
export const CONNECTABLE_STATUSES = ['approved', 'connected', 'active', 'suspended'] as const;

export const startConnectInput = z.object({ accountId: z.uuid() });
export type StartConnectInput = z.input<typeof startConnectInput>;

export interface ConnectDeps {
  /** X's OAuth 2.0 with PKCE */
  oauth: Pick<XOAuth, 'authLink' | 'exchangeCode'>;
  /** Google's OAuth 2.0 with PKCE for YouTube, where YouTube is configured */
  youtubeOAuth?: Pick<XOAuth, 'authLink' | 'exchangeCode'> | undefined;
  states: ConnectStateStore;
  /** Where the platform sends the person back: the API's callback route. */
  redirectUri: string;
  encryptionKey: Buffer;
}

/** An admin of an approved account starts OAuth 2.0 with PKCE; the browser goes to the URL returned. */
export async function startConnect(
  ctx: ServiceContext,
  raw: StartConnectInput,
  deps: Pick<ConnectDeps, 'oauth' | 'youtubeOAuth' | 'states' | 'redirectUri'>,
): Promise<{ authorizeUrl: string }> {
  const input = startConnectInput.parse(raw);
  const userId = requireUserId(ctx);
  const account = await loadAccount(ctx, ctx.tx ?? ctx.db, input.accountId);
  assertAccountAdmin(ctx, account.id, 'connect it to the platform');
  if (!(CONNECTABLE_STATUSES as readonly string[]).includes(account.status)) {
    throw conflict(
      `${accountLabel(account)} is ${account.status}; only an approved account can be connected`,
      {
        status: account.status,
      },
    );
  }
  const oauth = pkceOAuthFor(account.platform, deps);
  if (platformProfile(account.platform).connect.kind !== 'oauth2-pkce' || !oauth) {
    throw preconditionFailed(
      `Connecting ${platformDisplayName(account.platform)} accounts this way is not available; use the account page's Connect button`,
    );
  }
  const link = oauth.authLink(deps.redirectUri);
  await deps.states.save(link.state, {
    accountId: account.id,
    userId,
    codeVerifier: link.codeVerifier,
    redirectUri: deps.redirectUri,
  });
  return { authorizeUrl: link.url };
}

/** The OAuth 2.0 (PKCE) client of a platform that connects that way, or undefined. */
export function pkceOAuthFor(
  platform: string,
  deps: Pick<ConnectDeps, 'oauth' | 'youtubeOAuth'>,
): Pick<XOAuth, 'authLink' | 'exchangeCode'> | undefined {
  if (platform === 'x') return deps.oauth;
  if (platform === 'youtube') return deps.youtubeOAuth;
  return undefined;
}
