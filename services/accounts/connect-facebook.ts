// Connecting a Facebook Page or an Instagram business account (the `facebook-login` connect
// method): the admin signs in to Facebook, Hallmonitor lists the Pages they administer with each
// one's linked Instagram account (the Page picker), and the admin chooses the approved one. Its
// Page token is stored encrypted like X's tokens; the account then activates as any other.

import { randomBytes } from 'node:crypto';
import { and, eq, inArray, ne } from 'drizzle-orm';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { MetaConfig } from '../../config/load-config.js';
import { socialAccounts } from '../../db/schema/index.js';
import { emitAudit } from '../audit/emit-audit.js';
import { assertAccountAdmin, requireUserId } from '../core/authorization.js';
import { decryptSecret, encryptSecret } from '../core/secret-box.js';
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
import {
  exchangeFacebookCode,
  facebookLoginUrl,
  listManagedPages,
  type ManagedPage,
  readFacebookUser,
} from '../platforms/facebook-login.js';
import { platformProfile } from '../platforms/platform-profiles.js';
import { loadAccount, transitionAccount } from './account-access.js';
import { sealCredentials } from './account-credentials.js';
import { accountLabel } from './account-label.js';
import type { ConnectStateStore } from './connect-state-store.js';
import { recordConnection } from './record-connection.js';
import { CONNECTABLE_STATUSES } from './start-connect.js';

export interface FacebookConnectDeps {
  /** null: Meta is not configured, and Facebook and Instagram cannot be connected */
  meta: MetaConfig | null;
  states: ConnectStateStore;
  pickers: PagePickerStore;
  /** the API's Facebook Login callback */
  redirectUri: string;
  encryptionKey: Buffer;
}

/** The Pages a sign-in listed, kept (encrypted: they hold Page tokens) until the admin chooses. */
export interface PendingPicker {
  accountId: string;
  userId: string;
  pages: ManagedPage[];
  /** the Facebook person who signed in */
  signedInAs?: { id: string; name: string } | null;
  /**
   * Approved Instagram accounts of the same school, administered by the same person, that one of
   * these Pages links: the Facebook picker offers to connect them too, with this same sign-in.
   */
  instagramAccountIds?: string[];
}

export interface PagePickerStore {
  save(pending: PendingPicker): Promise<string>;
  load(id: string): Promise<PendingPicker | null>;
  drop(id: string): Promise<void>;
}

const PICKER_TTL_SECONDS = 600;
const pickerId = z.string().regex(/^[A-Za-z0-9_-]{20,64}$/);
const pendingPicker = z.object({
  accountId: z.uuid(),
  userId: z.uuid(),
  pages: z.array(
    z.object({
      pageId: z.string(),
      name: z.string(),
      accessToken: z.string(),
      tasks: z.array(z.string()),
      instagram: z.object({ id: z.string(), username: z.string() }).nullable(),
    }),
  ),
  signedInAs: z.object({ id: z.string(), name: z.string() }).nullable().optional(),
  instagramAccountIds: z.array(z.uuid()).max(100).optional(),
});

export function redisPagePickerStore(redis: Redis, prefix: string, key: Buffer): PagePickerStore {
  const at = (id: string) => `${prefix}:fbpicker:${id}`;
  return {
    async save(pending) {
      const id = randomBytes(24).toString('base64url');
      await redis.set(at(id), encryptSecret(key, JSON.stringify(pending)), 'EX', PICKER_TTL_SECONDS);
      return id;
    },
    async load(id) {
      if (!pickerId.safeParse(id).success) return null;
      const sealed = await redis.get(at(id));
      if (sealed === null) return null;
      try {
        const parsed = pendingPicker.safeParse(JSON.parse(decryptSecret(key, sealed)));
        return parsed.success ? parsed.data : null;
      } catch {
        return null;
      }
    },
    async drop(id) {
      if (pickerId.safeParse(id).success) await redis.del(at(id));
    },
  };
}

/**
 * A proposed handle is letters, digits, _ and . (propose-account.ts); a Page's name has spaces and
 * more. They match when their letters and digits do: "OakfieldPrimary" is the Page "Oakfield Primary".
 */
const normalise = (name: string) =>
  name
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]/gu, '');

function requireMeta(deps: Pick<FacebookConnectDeps, 'meta'>): MetaConfig {
  if (!deps.meta)
    throw preconditionFailed(
      'Facebook and Instagram are off in this installation: META_APP_ID, META_APP_SECRET and META_WEBHOOK_VERIFY_TOKEN are not set',
    );
  return deps.meta;
}

async function connectableAccount(ctx: ServiceContext, accountId: string) {
  const account = await loadAccount(ctx, ctx.tx ?? ctx.db, accountId);
  assertAccountAdmin(ctx, account.id, 'connect it to the platform');
  if (platformProfile(account.platform).connect.kind !== 'facebook-login')
    throw invalidInput(`${accountLabel(account)} does not connect through Facebook`);
  if (!(CONNECTABLE_STATUSES as readonly string[]).includes(account.status))
    throw conflict(
      `${accountLabel(account)} is ${account.status}; only an approved account can be connected`,
      {
        status: account.status,
      },
    );
  return account;
}

/** An admin of an approved Facebook or Instagram account starts Facebook Login. */
export async function startFacebookConnect(
  ctx: ServiceContext,
  input: { accountId: string },
  deps: Pick<FacebookConnectDeps, 'meta' | 'states' | 'redirectUri'>,
): Promise<{ authorizeUrl: string }> {
  const { accountId } = z.object({ accountId: z.uuid() }).parse(input);
  const userId = requireUserId(ctx);
  const meta = requireMeta(deps);
  const account = await connectableAccount(ctx, accountId);
  const state = randomBytes(24).toString('base64url');
  await deps.states.save(state, {
    accountId: account.id,
    userId,
    method: 'facebook-login',
    codeVerifier: '-',
    redirectUri: deps.redirectUri,
  });
  return { authorizeUrl: facebookLoginUrl(meta, { redirectUri: deps.redirectUri, state }) };
}

export const facebookCallbackInput = z.object({
  state: z.string().min(1).max(200),
  code: z.string().min(1).max(2_000).optional(),
  error: z.string().max(200).optional(),
});

/**
 * The Facebook Login callback: exchanges the code, lists the person's Pages and keeps them for the
 * picker. Nothing is stored on the account yet. Thrown errors carry `accountId` once it is known.
 */
export async function receiveFacebookLogin(
  ctx: ServiceContext,
  raw: z.input<typeof facebookCallbackInput>,
  deps: FacebookConnectDeps,
): Promise<{ accountId: string; pickerId: string }> {
  const input = facebookCallbackInput.parse(raw);
  const userId = requireUserId(ctx);
  const pending = await deps.states.take(input.state);
  if (pending?.method !== 'facebook-login')
    throw invalidInput(
      'This connection attempt has expired or was already used; start again from the account page',
    );
  const accountId = pending.accountId;
  const withAccount = (error: ServiceError) =>
    new ServiceError(error.code, error.message, { ...error.details, accountId });
  try {
    if (pending.userId !== userId)
      throw forbidden('This connection was started by someone else; start again from the account page');
    if (input.error || !input.code)
      throw preconditionFailed('Facebook did not grant access, so nothing was connected');
    const meta = requireMeta(deps);
    await connectableAccount(ctx, accountId);
    const { userToken } = await exchangeFacebookCode(meta, {
      code: input.code,
      redirectUri: pending.redirectUri,
    });
    const [pages, signedInAs] = await Promise.all([
      listManagedPages(meta, userToken),
      readFacebookUser(meta, userToken).catch(() => null),
    ]);
    const instagramAccountIds = await linkedInstagramAccounts(ctx, accountId, pages);
    return {
      accountId,
      pickerId: await deps.pickers.save({ accountId, userId, pages, signedInAs, instagramAccountIds }),
    };
  } catch (error) {
    if (error instanceof ServiceError) throw withAccount(error);
    if (isPlatformError(error, 'auth'))
      throw withAccount(preconditionFailed('Facebook refused the sign-in; start again'));
    if (isPlatformError(error))
      throw withAccount(
        new ServiceError('UPSTREAM_UNAVAILABLE', 'Facebook did not answer; try again shortly'),
      );
    throw error;
  }
}

export interface PickerChoice {
  /** what the admin chooses: the Page id (Facebook) or the Instagram account id */
  value: string;
  pageName: string;
  instagram: { id: string; username: string } | null;
  /** the approved account: the only choice that can be made */
  matches: boolean;
  /** why it cannot be chosen, when it cannot */
  why: string | null;
  /** on a Facebook Page's list: the approved Instagram account this Page links, to connect too */
  instagramAccount: { accountId: string; handle: string } | null;
}

export interface PagePicker {
  accountId: string;
  platform: 'facebook' | 'instagram';
  /** the approved handle or Page name */
  expected: string;
  choices: PickerChoice[];
  /** the Facebook person who signed in (null if Facebook did not say) */
  signedInAs: string | null;
}

async function loadPending(
  ctx: ServiceContext,
  accountId: string,
  id: string,
  deps: Pick<FacebookConnectDeps, 'pickers'>,
) {
  const userId = requireUserId(ctx);
  const pending = await deps.pickers.load(id);
  if (!pending || (pending.accountId !== accountId && !pending.instagramAccountIds?.includes(accountId)))
    throw invalidInput('This list of Pages has expired or was already used; press Connect again');
  if (pending.userId !== userId) throw forbidden('This list of Pages belongs to someone else’s sign-in');
  return pending;
}

/**
 * For a Facebook Page's sign-in: the approved Instagram accounts of the same school, administered by
 * the person, whose handle is the username of an Instagram account one of the Pages links.
 */
async function linkedInstagramAccounts(
  ctx: ServiceContext,
  accountId: string,
  pages: ManagedPage[],
): Promise<string[]> {
  const account = await loadAccount(ctx, ctx.db, accountId);
  if (account.platform !== 'facebook') return [];
  const linked = new Set(pages.flatMap((p) => (p.instagram ? [normalise(p.instagram.username)] : [])));
  if (linked.size === 0) return [];
  const candidates = await ctx.db
    .select({ id: socialAccounts.id, handle: socialAccounts.handle, status: socialAccounts.status })
    .from(socialAccounts)
    .where(and(eq(socialAccounts.schoolId, account.schoolId), eq(socialAccounts.platform, 'instagram')));
  return candidates
    .filter(
      (c) =>
        linked.has(normalise(c.handle)) &&
        (CONNECTABLE_STATUSES as readonly string[]).includes(c.status) &&
        ctx.principal?.adminOfAccounts.has(c.id),
    )
    .map((c) => c.id);
}

/** The picker: every Page the person administers, with its Instagram account, the approved one choosable. */
export async function describePagePicker(
  ctx: ServiceContext,
  input: { accountId: string; pickerId: string },
  deps: Pick<FacebookConnectDeps, 'pickers'>,
): Promise<PagePicker> {
  const account = await connectableAccount(ctx, input.accountId);
  const pending = await loadPending(ctx, account.id, input.pickerId, deps);
  const platform = account.platform === 'instagram' ? 'instagram' : 'facebook';
  const expected = normalise(account.handle);
  const linked = await ctx.db
    .select({ platformUserId: socialAccounts.platformUserId })
    .from(socialAccounts)
    .where(and(eq(socialAccounts.platform, platform), ne(socialAccounts.id, account.id)));
  const taken = new Set(linked.map((l) => l.platformUserId));
  const siblingIds = platform === 'facebook' ? (pending.instagramAccountIds ?? []) : [];
  const siblings =
    siblingIds.length === 0
      ? []
      : await ctx.db
          .select({ id: socialAccounts.id, handle: socialAccounts.handle, status: socialAccounts.status })
          .from(socialAccounts)
          .where(inArray(socialAccounts.id, siblingIds))
          .then((rows) => rows.filter((r) => (CONNECTABLE_STATUSES as readonly string[]).includes(r.status)));
  const choices = pending.pages.map((page): PickerChoice => {
    const value = platform === 'facebook' ? page.pageId : (page.instagram?.id ?? '');
    const name = platform === 'facebook' ? page.name : (page.instagram?.username ?? '');
    const why = !value
      ? 'no Instagram business account is linked to this Page'
      : normalise(name) !== expected
        ? `not the approved account (${platform === 'facebook' ? account.handle : `@${normalise(account.handle)}`})`
        : account.platformUserId && account.platformUserId !== value
          ? 'not the account connected before'
          : taken.has(value)
            ? 'already linked to another account in Hallmonitor'
            : null;
    const igAccount =
      platform === 'facebook' && page.instagram
        ? siblings.find((a) => normalise(a.handle) === normalise(page.instagram?.username ?? ''))
        : undefined;
    return {
      value,
      pageName: page.name,
      instagram: page.instagram,
      matches: why === null,
      why,
      instagramAccount: igAccount ? { accountId: igAccount.id, handle: igAccount.handle } : null,
    };
  });
  return {
    accountId: account.id,
    platform,
    expected: account.handle,
    choices,
    signedInAs: pending.signedInAs?.name ?? null,
  };
}

/**
 * The admin chose: stores the Page token (encrypted) and the Page or Instagram id on the approved
 * account, which becomes connected, audited like X's connect. A choice that is not the approved
 * account is refused and audited, and nothing is stored.
 */
export async function choosePage(
  ctx: ServiceContext,
  input: { accountId: string; pickerId: string; choice: string },
  deps: Pick<FacebookConnectDeps, 'pickers' | 'encryptionKey'>,
): Promise<{
  accountId: string;
  connected: boolean;
  reconnected: boolean;
  reason?: 'wrong_handle' | 'already_linked';
}> {
  const parsed = z
    .object({
      accountId: z.uuid(),
      pickerId: z.string().max(100),
      choice: z.string().regex(/^\d{1,32}$/, 'a Page'),
    })
    .parse(input);
  const picker = await describePagePicker(ctx, parsed, deps);
  const pending = await loadPending(ctx, parsed.accountId, parsed.pickerId, deps);
  const page = pending.pages.find((p) =>
    picker.platform === 'facebook' ? p.pageId === parsed.choice : p.instagram?.id === parsed.choice,
  );
  const choice = picker.choices.find((c) => c.value === parsed.choice);
  if (!page || !choice) throw invalidInput('That Page was not in the list; choose one of the Pages shown');

  const result = await withTransaction(ctx, async (tx) => {
    const account = await loadAccount(ctx, tx, parsed.accountId, { forUpdate: true });
    const label = accountLabel(account);
    const connectedName = picker.platform === 'facebook' ? page.name : (page.instagram?.username ?? '');
    if (!choice.matches) {
      const reason = choice.why?.startsWith('already linked') ? 'already_linked' : 'wrong_handle';
      await emitAudit(tx, ctx, {
        action: 'account.connect_refused',
        schoolId: account.schoolId,
        subject: { type: 'account', id: account.id, label },
        details: {
          reason,
          mismatch: reason === 'already_linked' ? 'linked_elsewhere' : 'handle',
          expectedHandle: account.handle,
          connectedHandle: connectedName,
          connectedPlatformUserId: parsed.choice,
        },
      });
      return { accountId: account.id, connected: false, reconnected: false, reason } as const;
    }
    if (!(CONNECTABLE_STATUSES as readonly string[]).includes(account.status))
      throw conflict(`${label} is ${account.status}; only an approved account can be connected`);
    await recordConnection(tx, ctx, deps.encryptionKey, account, label, {
      platformUserId: parsed.choice,
      credentials: { accessToken: page.accessToken },
      scopes: page.tasks,
      details: { pageId: page.pageId },
    });
    return { accountId: account.id, connected: true, reconnected: account.status !== 'approved' } as const;
  });
  // A Facebook Page's list stays while its linked Instagram account is connected from it.
  if (result.connected && pending.accountId === parsed.accountId) await deps.pickers.drop(parsed.pickerId);
  return result;
}
