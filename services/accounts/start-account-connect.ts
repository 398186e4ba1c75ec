import type { ServiceContext } from '../core/service-context.js';
import { platformProfile } from '../platforms/platform-profiles.js';
import { loadAccount } from './account-access.js';
import { connectableBlueskyAccount } from './connect-bluesky.js';
import { type FacebookConnectDeps, startFacebookConnect } from './connect-facebook.js';
import { type ConnectDeps, startConnect } from './start-connect.js';

/**
 * Connect, whatever the platform: each platform's profile says how it connects (OAuth 2.0 with
 * PKCE for X, Facebook Login and the Page picker for Facebook and Instagram, an app password form
 * for Bluesky), and the browser goes to the URL returned either way.
 */
export async function startAccountConnect(
  ctx: ServiceContext,
  input: { accountId: string },
  deps: { x: Pick<ConnectDeps, 'oauth' | 'states' | 'redirectUri'>; facebook: FacebookConnectDeps },
): Promise<{ authorizeUrl: string }> {
  const account = await loadAccount(ctx, ctx.tx ?? ctx.db, input.accountId);
  switch (platformProfile(account.platform).connect.kind) {
    case 'facebook-login':
      return startFacebookConnect(ctx, input, deps.facebook);
    case 'oauth2-pkce':
      return startConnect(ctx, input, deps.x);
    case 'app-password':
      // No platform page to go to: the admin types the handle and an app password into Hallmonitor's form.
      await connectableBlueskyAccount(ctx, account.id);
      return { authorizeUrl: `/accounts/${account.id}/connect/bluesky` };
  }
}
