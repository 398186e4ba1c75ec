// Connecting a Bluesky account (the `app-password` connect method): an admin types the account's
// handle and an app password made for Hallmonitor in Bluesky's settings; Hallmonitor signs in
// with them, and only when Bluesky says the session is the approved handle's does it store the
// session and the app password (encrypted like every platform's credentials). Any other account
// is refused, audited and forgotten, saying which account signed in.

import { and, eq, ne } from 'drizzle-orm';
import { z } from 'zod';
import { socialAccounts } from '../../db/schema/index.js';
import { emitAudit } from '../audit/emit-audit.js';
import { assertAccountAdmin } from '../core/authorization.js';
import type { ServiceContext } from '../core/service-context.js';
import { conflict, invalidInput, ServiceError } from '../core/service-error.js';
import { withTransaction } from '../core/with-transaction.js';
import type { Credentials } from '../platforms/adapter.js';
import { isPlatformError } from '../platforms/adapter.js';
import { signInWithAppPassword } from '../platforms/bluesky/index.js';
import { platformProfile } from '../platforms/platform-profiles.js';
import { loadAccount, transitionAccount } from './account-access.js';
import { sealCredentials } from './account-credentials.js';
import { accountLabel } from './account-label.js';
import { recordConnection } from './record-connection.js';
import { CONNECTABLE_STATUSES } from './start-connect.js';

export interface BlueskyConnectDeps {
  /** BLUESKY_SERVICE_URL: where accounts sign in */
  serviceUrl: string;
  encryptionKey: Buffer;
}

export const connectBlueskyInput = z.object({
  accountId: z.uuid(),
  handle: z
    .string()
    .trim()
    .transform((h) => h.replace(/^@/, '').toLowerCase())
    .pipe(
      z
        .string()
        .regex(/^[a-z0-9.-]{3,253}$/, 'Enter the account’s Bluesky handle, such as oakfield.bsky.social'),
    ),
  appPassword: z
    .string()
    .trim()
    .min(1, 'Enter the app password')
    .max(100, 'An app password is 19 characters, such as abcd-efgh-ijkl-mnop'),
});
export type ConnectBlueskyInput = z.input<typeof connectBlueskyInput>;

export type ConnectBlueskyResult =
  | { connected: true; accountId: string; reconnected: boolean }
  | { connected: false; accountId: string; reason: 'wrong_handle' | 'already_linked'; signedInAs: string };

const normalise = (handle: string) => handle.replace(/^@/, '').toLowerCase();

export async function connectableBlueskyAccount(ctx: ServiceContext, accountId: string) {
  const account = await loadAccount(ctx, ctx.tx ?? ctx.db, accountId);
  assertAccountAdmin(ctx, account.id, 'connect it to the platform');
  if (platformProfile(account.platform).connect.kind !== 'app-password')
    throw invalidInput(`${accountLabel(account)} does not connect with an app password`);
  if (!(CONNECTABLE_STATUSES as readonly string[]).includes(account.status))
    throw conflict(
      `${accountLabel(account)} is ${account.status}; only an approved account can be connected`,
      {
        status: account.status,
      },
    );
  return account;
}

export async function connectBluesky(
  ctx: ServiceContext,
  raw: ConnectBlueskyInput,
  deps: BlueskyConnectDeps,
  signIn: typeof signInWithAppPassword = signInWithAppPassword,
): Promise<ConnectBlueskyResult> {
  const input = connectBlueskyInput.parse(raw);
  await connectableBlueskyAccount(ctx, input.accountId);

  let signedIn: { did: string; handle: string; credentials: Credentials };
  try {
    signedIn = await signIn(deps.serviceUrl, input.handle, input.appPassword);
  } catch (error) {
    if (isPlatformError(error, 'auth'))
      throw invalidInput(
        'Bluesky refused that handle and app password. Check the handle, and use an app password made in Bluesky (Settings → Privacy and security → App passwords), not the account’s own password.',
        { field: 'appPassword' },
      );
    if (isPlatformError(error, 'rate_limited'))
      throw new ServiceError(
        'UPSTREAM_UNAVAILABLE',
        `Bluesky is limiting sign-ins to this account; try again after ${error.resetAt?.toISOString().slice(11, 16) ?? 'a few minutes'} UTC`,
      );
    if (isPlatformError(error))
      throw new ServiceError(
        'UPSTREAM_UNAVAILABLE',
        'Bluesky did not answer, so nothing was connected; try again shortly',
      );
    throw error;
  }

  return withTransaction(ctx, async (tx) => {
    const account = await loadAccount(ctx, tx, input.accountId, { forUpdate: true });
    const label = accountLabel(account);
    const refuse = async (
      reason: 'wrong_handle' | 'already_linked',
      mismatch: 'handle' | 'platform_user' | 'linked_elsewhere',
    ) => {
      await emitAudit(tx, ctx, {
        action: 'account.connect_refused',
        schoolId: account.schoolId,
        subject: { type: 'account', id: account.id, label },
        details: {
          reason,
          mismatch,
          expectedHandle: account.handle,
          connectedHandle: signedIn.handle,
          connectedPlatformUserId: signedIn.did,
        },
      });
      return { connected: false as const, accountId: account.id, reason, signedInAs: signedIn.handle };
    };
    if (normalise(signedIn.handle) !== normalise(account.handle)) return refuse('wrong_handle', 'handle');
    if (account.platformUserId && account.platformUserId !== signedIn.did)
      return refuse('wrong_handle', 'platform_user');
    const [other] = await tx
      .select({ id: socialAccounts.id })
      .from(socialAccounts)
      .where(
        and(
          eq(socialAccounts.platform, account.platform),
          eq(socialAccounts.platformUserId, signedIn.did),
          ne(socialAccounts.id, account.id),
        ),
      );
    if (other) return refuse('already_linked', 'linked_elsewhere');
    if (!(CONNECTABLE_STATUSES as readonly string[]).includes(account.status))
      throw conflict(`${label} is ${account.status}; only an approved account can be connected`);

    await recordConnection(tx, ctx, deps.encryptionKey, account, label, {
      platformUserId: signedIn.did,
      credentials: signedIn.credentials,
      scopes: ['app-password'],
    });
    return { connected: true as const, accountId: account.id, reconnected: account.status !== 'approved' };
  });
}
