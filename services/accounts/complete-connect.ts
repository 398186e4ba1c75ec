import { and, eq, ne } from 'drizzle-orm';
import { z } from 'zod';
import { socialAccounts } from '../../db/schema/index.js';
import { emitAudit } from '../audit/emit-audit.js';
import { assertAccountAdmin, requireUserId } from '../core/authorization.js';
import type { ServiceContext } from '../core/service-context.js';
import {
  conflict,
  forbidden,
  invalidInput,
  preconditionFailed,
  ServiceError,
} from '../core/service-error.js';
import { withTransaction } from '../core/with-transaction.js';
import { isPlatformError } from '../platforms/adapter.js';
import { loadAccount, transitionAccount } from './account-access.js';
import { sealCredentials } from './account-credentials.js';
import { accountLabel } from './account-label.js';
import { type AccountView, describeAccount } from './account-view.js';
import { recordConnection } from './record-connection.js';
import type { ConnectDeps } from './start-connect.js';
import { CONNECTABLE_STATUSES, pkceOAuthFor } from './start-connect.js';

export const completeConnectInput = z.object({
  state: z.string().min(1).max(200),
  code: z.string().min(1).max(2_000).optional(),
  /** The platform's error when the person declined (OAuth `error=access_denied`). */
  error: z.string().max(200).optional(),
});
export type CompleteConnectInput = z.input<typeof completeConnectInput>;

export type CompleteConnectResult =
  | { connected: true; accountId: string; account: AccountView; reconnected: boolean }
  | {
      connected: false;
      accountId: string;
      reason: 'wrong_handle' | 'already_linked';
      message: string;
      /** The handle the person signed in to on the platform, and the approved one. */
      signedInAs: string;
      expected: string;
    };

const normalise = (handle: string) => handle.replace(/^@/, '').toLowerCase();

/**
 * The OAuth callback: exchanges the code (PKCE) and stores the tokens encrypted, but only if the
 * person signed in to the approved handle. Any other account is refused, audited, and forgotten.
 * Thrown errors carry `accountId` in their details once it is known, for the redirect.
 */
export async function completeConnect(
  ctx: ServiceContext,
  raw: CompleteConnectInput,
  deps: ConnectDeps,
): Promise<CompleteConnectResult> {
  const input = completeConnectInput.parse(raw);
  const userId = requireUserId(ctx);
  const pending = await deps.states.take(input.state);
  if (pending?.method !== 'oauth2-pkce') {
    throw invalidInput(
      'This connection attempt has expired or was already used; start again from the account page',
    );
  }
  const accountId = pending.accountId;
  const withAccount = (error: ServiceError) =>
    new ServiceError(error.code, error.message, { ...error.details, accountId });
  if (pending.userId !== userId) {
    throw withAccount(
      forbidden('This connection was started by someone else; start again from the account page'),
    );
  }
  if (input.error || !input.code) {
    throw withAccount(preconditionFailed('The platform did not grant access, so nothing was connected'));
  }

  let connected: Awaited<ReturnType<ConnectDeps['oauth']['exchangeCode']>>;
  try {
    const account = await loadAccount(ctx, ctx.db, accountId);
    assertAccountAdmin(ctx, account.id, 'connect it to the platform');
    const oauth = pkceOAuthFor(account.platform, deps);
    if (!oauth)
      throw preconditionFailed('This platform does not connect this way; start again from the account page');
    connected = await oauth.exchangeCode(input.code, pending.codeVerifier, pending.redirectUri);
  } catch (error) {
    if (error instanceof ServiceError) throw withAccount(error);
    if (isPlatformError(error, 'auth')) {
      throw withAccount(preconditionFailed('The platform refused the authorisation; start again'));
    }
    if (isPlatformError(error)) {
      throw withAccount(
        new ServiceError('UPSTREAM_UNAVAILABLE', 'The platform did not answer; try again shortly'),
      );
    }
    throw error;
  }

  return withTransaction(ctx, async (tx) => {
    const account = await loadAccount(ctx, tx, accountId, { forUpdate: true });
    const label = accountLabel(account);
    const refuse = async (
      reason: 'wrong_handle' | 'already_linked',
      message: string,
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
          connectedHandle: connected.handle,
          connectedPlatformUserId: connected.platformUserId,
        },
      });
      return {
        connected: false as const,
        accountId,
        reason,
        message,
        signedInAs: normalise(connected.handle),
        expected: normalise(account.handle),
      };
    };

    if (normalise(connected.handle) !== normalise(account.handle)) {
      return refuse(
        'wrong_handle',
        `You signed in as @${connected.handle}, but the approved account is @${normalise(account.handle)}; nothing was stored`,
        'handle',
      );
    }
    if (account.platformUserId && account.platformUserId !== connected.platformUserId) {
      return refuse(
        'wrong_handle',
        `@${connected.handle} is not the platform account that was connected before`,
        'platform_user',
      );
    }
    const [other] = await tx
      .select({ id: socialAccounts.id })
      .from(socialAccounts)
      .where(
        and(
          eq(socialAccounts.platform, account.platform),
          eq(socialAccounts.platformUserId, connected.platformUserId),
          ne(socialAccounts.id, account.id),
        ),
      );
    if (other) {
      return refuse(
        'already_linked',
        `@${connected.handle} is already linked to another Hallmonitor account`,
        'linked_elsewhere',
      );
    }
    if (!(CONNECTABLE_STATUSES as readonly string[]).includes(account.status)) {
      throw withAccount(conflict(`${label} is ${account.status}; only an approved account can be connected`));
    }

    const updated = await recordConnection(tx, ctx, deps.encryptionKey, account, label, {
      platformUserId: connected.platformUserId,
      credentials: connected.credentials,
      scopes: connected.credentials.scope ?? [],
    });
    return {
      connected: true as const,
      accountId,
      account: await describeAccount(tx, updated),
      reconnected: account.status !== 'approved',
    };
  });
}
