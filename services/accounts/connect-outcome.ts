import { and, desc, eq, gt, inArray } from 'drizzle-orm';
import { z } from 'zod';
import { auditEntries } from '../../db/schema/index.js';
import type { ServiceContext } from '../core/service-context.js';
import {
  accountDisplayName,
  isPlatformName,
  platformDisplayName,
  platformProfile,
} from '../platforms/platform-profiles.js';
import { loadAccount } from './account-access.js';

/** What the connect callback puts in the address it sends the person back to: a fixed code, never text. */
export const CONNECT_OUTCOME_CODES = [
  'new',
  'again',
  'wrong_handle',
  'already_linked',
  'precondition_failed',
  'invalid_input',
  'forbidden',
  'upstream_unavailable',
  'conflict',
  'not_found',
  'unknown',
] as const;
export const connectOutcomeCode = z.enum(CONNECT_OUTCOME_CODES);
export type ConnectOutcomeCode = z.infer<typeof connectOutcomeCode>;

export interface ConnectMessage {
  kind: 'success' | 'error';
  text: string;
  /** The handle the person signed in to on the platform, when the refusal was about it. */
  signedInAs: string | null;
  /** The approved handle. */
  expected: string;
  /** What to do now, when there is something to do. */
  nextStep: string | null;
}

/** Only a recent attempt by this person explains the page they are looking at. */
const RECENT_MS = 15 * 60_000;

/**
 * The message the account page shows after the platform sends the person back: which account
 * signed in and which was expected, what to do next, or that it worked. The handles come from the
 * audit entry of the attempt (this person's, in the last few minutes), never from the address.
 */
export async function connectOutcome(
  ctx: ServiceContext,
  input: { accountId: string; code: ConnectOutcomeCode },
): Promise<ConnectMessage> {
  const account = await loadAccount(ctx, ctx.db, input.accountId);
  const expected = account.handle.replace(/^@/, '');
  const platform = platformDisplayName(account.platform);
  const shown = (handle: string) => accountDisplayName(account.platform, handle);
  const [attempt] =
    ctx.actor.type === 'user'
      ? await ctx.db
          .select({ action: auditEntries.action, details: auditEntries.details })
          .from(auditEntries)
          .where(
            and(
              eq(auditEntries.subjectType, 'account'),
              eq(auditEntries.subjectId, account.id),
              eq(auditEntries.actorId, ctx.actor.id),
              inArray(auditEntries.action, ['account.connected', 'account.connect_refused']),
              gt(auditEntries.at, new Date(Date.now() - RECENT_MS)),
            ),
          )
          .orderBy(desc(auditEntries.seq))
          .limit(1)
      : [];
  const details = (attempt?.details ?? {}) as Record<string, unknown>;
  const signedIn =
    attempt?.action === 'account.connect_refused' && typeof details.connectedHandle === 'string'
      ? details.connectedHandle.replace(/^@/, '')
      : null;
  const appPassword =
    isPlatformName(account.platform) && platformProfile(account.platform).connect.kind === 'app-password';
  const signOutFirst = appPassword
    ? `Make an app password while signed in to ${platform} as ${shown(expected)}, then connect again with it.`
    : signedIn
      ? `Sign out of ${shown(signedIn)} on ${platform} (or open a private window), sign in to ${platform} as ${shown(expected)}, then press Connect again.`
      : `Sign in to ${platform} as ${shown(expected)}, then press Connect again.`;
  const error = (text: string, nextStep: string | null, who: string | null = null): ConnectMessage => ({
    kind: 'error',
    text,
    signedInAs: who,
    expected,
    nextStep,
  });
  switch (input.code) {
    case 'new':
    case 'again':
      return {
        kind: 'success',
        text:
          input.code === 'again'
            ? `Reconnected: Hallmonitor can read and act for ${shown(expected)} on ${platform} again.`
            : `Connected: Hallmonitor can now read and act for ${shown(expected)} on ${platform}.`,
        signedInAs: expected,
        expected,
        nextStep:
          account.status === 'connected' ? 'Activate the account to start monitoring its comments.' : null,
      };
    case 'wrong_handle':
      if (details.mismatch === 'platform_user') {
        return error(
          `${shown(signedIn ?? '?')} on ${platform} is not the same ${platform} account that was connected before (the name may have moved to another account). Nothing was stored.`,
          `If the school's account was renamed, a senior leader must approve the new name as its own account. Otherwise sign in to ${platform} as the account connected before, then press Connect again.`,
          signedIn,
        );
      }
      return error(
        signedIn
          ? `You signed in to ${platform} as ${shown(signedIn)}, but this account is ${shown(expected)}. Nothing was stored.`
          : `You signed in to ${platform} as a different account from ${shown(expected)}. Nothing was stored.`,
        signOutFirst,
        signedIn,
      );
    case 'already_linked':
      return error(
        `${shown(signedIn ?? expected)} is already linked to another account in Hallmonitor, so it was not connected here.`,
        'Ask your trust admin which school holds it; one platform account is monitored once per school.',
        signedIn,
      );
    case 'precondition_failed':
      return error(
        `${platform} did not grant access, so nothing was connected.`,
        `Press Connect again and choose "Authorize app" on ${platform}'s page.`,
      );
    case 'invalid_input':
      return error(
        'That connection attempt had expired or was already used, so nothing was connected.',
        'Press Connect again; finish within 10 minutes.',
      );
    case 'forbidden':
      return error(
        'This connection was started by someone else, or you are not one of the account’s admins.',
        'The admin who pressed Connect must finish it, in the same browser.',
      );
    case 'upstream_unavailable':
      return error(`${platform} did not answer, so nothing was connected.`, 'Try again in a few minutes.');
    case 'conflict':
      return error(
        `The account is ${account.status}, so it cannot be connected now.`,
        'Only an approved, connected, active or suspended account can be connected.',
      );
    case 'not_found':
      return error('The account was not found.', null);
    case 'unknown':
      return error(
        'The connection was not made.',
        'Press Connect again; if it keeps failing, tell your trust admin.',
      );
  }
}
