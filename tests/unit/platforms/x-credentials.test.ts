import { afterEach, describe, expect, it } from 'vitest';
import { type Credentials, PlatformError } from '../../../services/platforms/adapter.js';
import { createXOAuth, X_SCOPES } from '../../../services/platforms/x/x-oauth.js';
import { CLIENT_ID, type Connected, catchError, connectedSandbox } from './x-sandbox-fixture.js';

const ME = 'GET /2/users/me';
const TOKEN = 'POST /2/oauth2/token';
let ctx: Connected | undefined;
afterEach(async () => {
  ctx?.adapter.close();
  await ctx?.sandbox.close();
  ctx = undefined;
});

describe('X adapter: credentials', () => {
  it('refreshes a token about to expire, persists the rotated refresh token, then uses it', async () => {
    const seen: { creds: Credentials; apiCallsSoFar: number }[] = [];
    let sandboxRef: Connected['sandbox'] | undefined;
    ctx = await connectedSandbox({
      ttlSeconds: 60,
      adapter: {
        onCredentialsRefreshed: async (creds) => {
          seen.push({ creds, apiCallsSoFar: sandboxRef!.state.requestsTo(ME).length });
        },
      },
    });
    sandboxRef = ctx.sandbox;

    await expect(ctx.adapter.verifyCredentials()).resolves.toMatchObject({ platformUserId: ctx.account.id });

    expect(seen).toHaveLength(1);
    expect(seen[0]!.apiCallsSoFar).toBe(0);
    const rotated = seen[0]!.creds;
    expect(rotated.refreshToken).toMatch(/^rt_/);
    expect(rotated.expiresAt!.getTime()).toBeGreaterThan(Date.now() + 60 * 60 * 1000);
    expect(ctx.sandbox.state.requestsTo(TOKEN)).toHaveLength(1);
    expect(ctx.sandbox.state.requestsTo(ME)[0]).toMatchObject({ status: 200, tokenUser: ctx.account.id });
    expect(rotated.refreshToken).not.toBe(ctx.issued.refreshToken);
    // X rotates: the refresh token the adapter started with no longer works.
    expect(ctx.sandbox.state.rotateRefreshToken(ctx.issued.refreshToken, CLIENT_ID)).toBeNull();
    // Fresh now: no second refresh.
    await ctx.adapter.verifyCredentials();
    expect(ctx.sandbox.state.requestsTo(TOKEN)).toHaveLength(1);
  });

  it('does not use refreshed tokens until they are persisted, and persists the same ones on retry', async () => {
    let failPersist = true;
    const persisted: Credentials[] = [];
    ctx = await connectedSandbox({
      ttlSeconds: 30,
      adapter: {
        onCredentialsRefreshed: async (creds) => {
          if (failPersist) throw new Error('database down');
          persisted.push(creds);
        },
      },
    });
    const error = await catchError(ctx.adapter.verifyCredentials());
    expect(error).toMatchObject({ kind: 'transient' });
    expect(ctx.sandbox.state.requestsTo(ME)).toHaveLength(0);

    failPersist = false;
    await ctx.adapter.verifyCredentials();
    expect(persisted).toHaveLength(1);
    // The refresh token was spent once; the retry persisted what that refresh returned.
    expect(ctx.sandbox.state.requestsTo(TOKEN)).toHaveLength(1);
  });

  it('on a 401 refreshes once and retries', async () => {
    ctx = await connectedSandbox();
    const issued = ctx.sandbox.state.log;
    ctx.sandbox.state.expireToken(ctx.issued.accessToken);
    await expect(ctx.adapter.verifyCredentials()).resolves.toMatchObject({ handle: 'oakfield_primary' });
    expect(ctx.persisted).toHaveLength(1);
    expect(issued.filter((e) => e.endpoint === ME).map((e) => e.status)).toEqual([401, 200]);
  });

  it('a refused refresh token → auth', async () => {
    ctx = await connectedSandbox({
      ttlSeconds: 30,
      adapter: {
        credentials: {
          accessToken: 'at_x',
          refreshToken: 'rt_spent',
          expiresAt: new Date(Date.now() + 30_000),
        },
      },
    });
    const error = await catchError(ctx.adapter.verifyCredentials());
    expect(error).toBeInstanceOf(PlatformError);
    expect(error).toMatchObject({ kind: 'auth', reason: 'Value passed for the token was invalid.' });
  });
});

describe('X OAuth connect flow', () => {
  it('authLink + exchangeCode round trip with PKCE', async () => {
    ctx = await connectedSandbox();
    const oauth = createXOAuth({ clientId: CLIENT_ID, apiBaseUrl: ctx.sandbox.url });
    const redirectUri = 'http://127.0.0.1:9/callback';
    const link = oauth.authLink(redirectUri);
    const url = new URL(link.url);
    expect(url.origin).toBe(ctx.sandbox.url);
    expect(url.pathname).toBe('/i/oauth2/authorize');
    expect(url.searchParams.get('scope')).toBe(X_SCOPES.join(' '));

    const page = await fetch(link.url);
    expect(await page.text()).toContain('Authorize app');

    const approved = await fetch(`${link.url}&sandbox_user=oakfield_primary`, { redirect: 'manual' });
    expect(approved.status).toBe(302);
    const callback = new URL(approved.headers.get('location')!);
    expect(callback.searchParams.get('state')).toBe(link.state);
    const code = callback.searchParams.get('code')!;

    const connected = await oauth.exchangeCode(code, link.codeVerifier, redirectUri);
    expect(connected).toMatchObject({ platformUserId: ctx.account.id, handle: 'oakfield_primary' });
    expect(connected.credentials.refreshToken).toBeDefined();
    expect(connected.credentials.scope).toEqual([...X_SCOPES]);
    // The code is single use.
    const reused = await catchError(oauth.exchangeCode(code, link.codeVerifier, redirectUri));
    expect(reused).toMatchObject({ kind: 'auth' });
    oauth.close();
  });

  it('refuses a wrong code verifier', async () => {
    ctx = await connectedSandbox();
    const oauth = createXOAuth({ clientId: CLIENT_ID, apiBaseUrl: ctx.sandbox.url });
    const redirectUri = 'http://127.0.0.1:9/callback';
    const link = oauth.authLink(redirectUri);
    const approved = await fetch(`${link.url}&sandbox_user=oakfield_primary`, { redirect: 'manual' });
    const code = new URL(approved.headers.get('location')!).searchParams.get('code')!;
    const wrong = oauth.authLink(redirectUri).codeVerifier;
    const error = await catchError(oauth.exchangeCode(code, wrong, redirectUri));
    expect(error).toBeInstanceOf(PlatformError);
    expect(error).toMatchObject({
      kind: 'auth',
      status: 400,
      reason: 'Value passed for the authorization code was invalid.',
    });
    oauth.close();
  });
});
