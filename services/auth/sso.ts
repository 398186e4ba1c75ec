import { and, eq, isNull, sql } from 'drizzle-orm';
import * as oidc from 'openid-client';
import { z } from 'zod';
import { trusts, type User, users } from '../../db/schema/index.js';
import { emitAudit } from '../audit/emit-audit.js';
import { decryptSecret, encryptSecret } from '../core/secret-box.js';
import type { ServiceContext } from '../core/service-context.js';
import { notFound, ServiceError } from '../core/service-error.js';
import { withTransaction } from '../core/with-transaction.js';
import { openSession, type SessionRequest, type SignInResult } from './open-session.js';

/** What the browser carries (sealed) from the start of an SSO sign-in to its callback. */
export interface PendingSsoSignIn {
  trustId: string;
  issuer: string;
  clientId: string;
  state: string;
  nonce: string;
  codeVerifier: string;
  startedAt: number;
}

export interface SsoOptions {
  encryptionKey: Buffer;
  /** `${publicUrl}/auth/sso/callback`: the one redirect URI every provider is registered with. */
  redirectUri: string;
}

/** Long enough to type a password and approve a prompt at the provider; short enough to be stale. */
export const SSO_PENDING_MAX_AGE_MS = 10 * 60_000;
export const SSO_REFUSED =
  'Single sign-on could not sign you in to Hallmonitor. If you should have access, ask your trust admin to invite you.';
const SSO_FAILED = 'Single sign-on did not complete; please try again';

const DISCOVERY_TTL_MS = 60 * 60_000;
const discovered = new Map<string, { config: oidc.Configuration; at: number }>();

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

async function providerConfiguration(
  provider: { issuer: string; clientId: string; clientSecretEncrypted?: string },
  encryptionKey: Buffer,
): Promise<oidc.Configuration> {
  const cacheKey = `${provider.issuer}\n${provider.clientId}\n${provider.clientSecretEncrypted ?? ''}`;
  const hit = discovered.get(cacheKey);
  if (hit && Date.now() - hit.at < DISCOVERY_TTL_MS) return hit.config;
  const issuerUrl = new URL(provider.issuer);
  // Plain http only for a provider on this machine (a local test provider); never across a network.
  const insecure = issuerUrl.protocol === 'http:' && LOOPBACK.has(issuerUrl.hostname);
  const secret = provider.clientSecretEncrypted
    ? decryptSecret(encryptionKey, provider.clientSecretEncrypted)
    : undefined;
  try {
    const config = await oidc.discovery(
      issuerUrl,
      provider.clientId,
      secret,
      secret ? oidc.ClientSecretPost(secret) : oidc.None(),
      { timeout: 10, ...(insecure ? { execute: [oidc.allowInsecureRequests] } : {}) },
    );
    discovered.set(cacheKey, { config, at: Date.now() });
    return config;
  } catch (error) {
    throw new ServiceError(
      'UPSTREAM_UNAVAILABLE',
      'The sign-in provider could not be reached; try again shortly',
      {
        cause: (error as Error).message,
      },
    );
  }
}

async function trustProvider(ctx: ServiceContext, trustId: string, issuer?: string) {
  if (!z.uuid().safeParse(trustId).success) throw notFound('Single sign-on for that trust');
  const [trust] = await ctx.db.select().from(trusts).where(eq(trusts.id, trustId));
  const providers = trust?.signIn.oidc ?? [];
  const provider = issuer ? providers.find((p) => p.issuer === issuer) : providers[0];
  if (!trust || !provider) throw notFound('Single sign-on for that trust');
  return provider;
}

/** The provider's authorization URL (code flow, PKCE S256, state and nonce) and what to keep until the callback. */
export async function startSsoSignIn(
  ctx: ServiceContext,
  input: { trustId: string; issuer?: string | undefined },
  options: SsoOptions,
): Promise<{ authorizationUrl: string; pending: PendingSsoSignIn }> {
  const provider = await trustProvider(ctx, input.trustId, input.issuer);
  const config = await providerConfiguration(provider, options.encryptionKey);
  const pending: PendingSsoSignIn = {
    trustId: input.trustId,
    issuer: provider.issuer,
    clientId: provider.clientId,
    state: oidc.randomState(),
    nonce: oidc.randomNonce(),
    codeVerifier: oidc.randomPKCECodeVerifier(),
    startedAt: Date.now(),
  };
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: options.redirectUri,
    scope: 'openid email profile',
    state: pending.state,
    nonce: pending.nonce,
    code_challenge: await oidc.calculatePKCECodeChallenge(pending.codeVerifier),
    code_challenge_method: 'S256',
  });
  return { authorizationUrl: url.href, pending };
}

export const sealPendingSso = (key: Buffer, pending: PendingSsoSignIn) =>
  encryptSecret(key, JSON.stringify(pending));

/** The pending sign-in from its sealed cookie; null when missing, tampered with or stale. */
export function openPendingSso(
  key: Buffer,
  sealed: string | undefined,
  now = Date.now(),
): PendingSsoSignIn | null {
  if (!sealed) return null;
  try {
    const pending = JSON.parse(decryptSecret(key, sealed)) as PendingSsoSignIn;
    return now - pending.startedAt <= SSO_PENDING_MAX_AGE_MS ? pending : null;
  } catch {
    return null;
  }
}

/**
 * Finishes an SSO sign-in. A user is found by (issuer, subject); on their first SSO sign-in, by the
 * provider's verified email among the trust's users who have no SSO link yet, and then linked.
 * Nobody unknown is ever created, and a disabled user is refused.
 */
export async function completeSsoSignIn(
  ctx: ServiceContext,
  input: { pending: PendingSsoSignIn | null; callbackUrl: string } & SessionRequest,
  options: SsoOptions,
): Promise<SignInResult> {
  const refuse = async (reason: string, user: User | null, personal: Record<string, unknown> = {}) => {
    await withTransaction(ctx, (tx) =>
      emitAudit(tx, ctx, {
        action: 'user.sign_in_failed',
        schoolId: null,
        subject: user
          ? { type: 'user', id: user.id, label: user.displayName }
          : { type: 'user', id: null, label: 'unknown account' },
        details: { method: 'sso', reason, trustId: input.pending?.trustId ?? null },
        personal: { address: input.address, ...personal },
      }),
    );
    throw new ServiceError('UNAUTHENTICATED', reason.startsWith('sso_error') ? SSO_FAILED : SSO_REFUSED);
  };

  const pending = input.pending;
  if (!pending) return refuse('sso_error:no_pending_sign_in', null);
  const provider = await trustProvider(ctx, pending.trustId, pending.issuer);
  const config = await providerConfiguration(provider, options.encryptionKey);

  let identity: { issuer: string; subject: string; email: string | null; emailVerified: boolean };
  try {
    const tokens = await oidc.authorizationCodeGrant(config, new URL(input.callbackUrl), {
      pkceCodeVerifier: pending.codeVerifier,
      expectedState: pending.state,
      expectedNonce: pending.nonce,
      idTokenExpected: true,
    });
    const claims = tokens.claims();
    if (!claims) throw new Error('no ID token');
    // Some providers keep email out of the ID token in the code flow; the userinfo endpoint has it.
    const source: Record<string, unknown> =
      typeof claims.email === 'string'
        ? claims
        : await oidc.fetchUserInfo(config, tokens.access_token, claims.sub);
    identity = {
      issuer: claims.iss,
      subject: claims.sub,
      email: typeof source.email === 'string' ? source.email : null,
      // Entra ID does not send email_verified; its xms_edov optional claim says the domain is verified.
      emailVerified: source.email_verified === true || source.xms_edov === true,
    };
  } catch (error) {
    return refuse(`sso_error:${(error as { code?: string }).code ?? 'exchange_failed'}`, null);
  }

  const { issuer, subject, email, emailVerified } = identity;
  const who = { issuer, subject, email };

  const [linked] = await ctx.db
    .select()
    .from(users)
    // A person may have an account in each of several trusts: the link is looked up in this one.
    .where(
      and(eq(users.trustId, pending.trustId), eq(users.ssoIssuer, issuer), eq(users.ssoSubject, subject)),
    );
  if (linked) {
    if (linked.disabledAt) return refuse('disabled', linked, who);
    return withTransaction(ctx, (tx) => openSession(tx, ctx, linked, 'sso', input, { issuer }));
  }

  if (!email || !emailVerified) return refuse('email_not_verified', null, who);
  const [invited] = await ctx.db
    .select()
    .from(users)
    .where(and(eq(sql`lower(${users.email})`, email.toLowerCase()), eq(users.trustId, pending.trustId)));
  if (!invited) return refuse('not_invited', null, who);
  if (invited.ssoIssuer) return refuse('linked_to_another_identity', invited, who);
  if (invited.disabledAt) return refuse('disabled', invited, who);

  return withTransaction(ctx, async (tx) => {
    const [row] = await tx
      .update(users)
      .set({ ssoIssuer: issuer, ssoSubject: subject })
      .where(and(eq(users.id, invited.id), isNull(users.ssoIssuer)))
      .returning();
    if (!row) throw new ServiceError('CONFLICT', SSO_FAILED);
    await emitAudit(
      tx,
      { ...ctx, actor: { type: 'user', id: row.id, label: row.displayName } },
      {
        action: 'user.sso_linked',
        schoolId: null,
        subject: { type: 'user', id: row.id, label: row.displayName },
        details: { issuer },
        personal: { subject, email },
      },
    );
    return openSession(tx, ctx, row, 'sso', input, { issuer, firstSignIn: true });
  });
}

/** A trust's SSO providers for the sign-in page: labels and issuers, never secrets. */
export async function listSsoProviders(ctx: ServiceContext, trustId: string) {
  if (!z.uuid().safeParse(trustId).success) return [];
  const [trust] = await ctx.db.select({ signIn: trusts.signIn }).from(trusts).where(eq(trusts.id, trustId));
  return (trust?.signIn.oidc ?? []).map((p) => ({ trustId, issuer: p.issuer, label: p.label }));
}
