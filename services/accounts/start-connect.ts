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
  oauth: Pick<XOAuth, 'authLink' | 'exchangeCode'>;
  states: ConnectStateStore;
  /** Where the platform sends the person back: the API's callback route. */
  redirectUri: string;
  encryptionKey: Buffer;
}

/** An admin of an approved account starts OAuth 2.0 with PKCE; the browser goes to the URL returned. */
export async function startConnect(
  ctx: ServiceContext,
  raw: StartConnectInput,
  deps: Pick<ConnectDeps, 'oauth' | 'states' | 'redirectUri'>,
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
  if (platformProfile(account.platform).connect.kind !== 'oauth2-pkce' || account.platform !== 'x') {
    throw preconditionFailed(
      `Connecting ${platformDisplayName(account.platform)} accounts this way is not available; use the account page's Connect button`,
    );
  }
  const link = deps.oauth.authLink(deps.redirectUri);
  await deps.states.save(link.state, {
    accountId: account.id,
    userId,
    codeVerifier: link.codeVerifier,
    redirectUri: deps.redirectUri,
  });
  return { authorizeUrl: link.url };
}
