import type { SandboxState } from './state.js';

// OAuth 2.0 authorization code with PKCE, as X runs it: /i/oauth2/authorize on x.com and
// /2/oauth2/token on api.x.com. `sandbox_user=<username>` on the authorize URL approves at once.

export interface RawReply {
  status: number;
  headers?: Record<string, string>;
  contentType?: string;
  body: string | object;
}

const oauthError = (status: number, error: string, description: string): RawReply => ({
  status,
  body: { error, error_description: description },
});

const INVALID_CODE = 'Value passed for the authorization code was invalid.';
const INVALID_TOKEN = 'Value passed for the token was invalid.';

export function authorize(state: SandboxState, query: URLSearchParams, selfPath: string): RawReply {
  const clientId = query.get('client_id');
  const redirectUri = query.get('redirect_uri');
  const challenge = query.get('code_challenge');
  const method = (query.get('code_challenge_method') ?? 'plain').toLowerCase();
  const scope = (query.get('scope') ?? '').split(' ').filter((s) => s.length > 0);
  const problem =
    query.get('response_type') !== 'code'
      ? 'response_type must be code'
      : !clientId
        ? 'client_id is required'
        : !redirectUri || !isHttpUrl(redirectUri)
          ? 'redirect_uri must be an http(s) URL'
          : !challenge
            ? 'code_challenge is required'
            : method !== 's256' && method !== 'plain'
              ? 'code_challenge_method must be S256 or plain'
              : !query.get('state')
                ? 'state is required'
                : null;
  if (problem || !clientId || !redirectUri || !challenge) {
    return {
      status: 400,
      contentType: 'text/html; charset=utf-8',
      body: page('Something went wrong', `<p>${escapeHtml(problem ?? 'invalid request')}</p>`),
    };
  }
  const chosen = query.get('sandbox_user');
  if (chosen !== null) {
    const user = state.user(chosen);
    if (!user?.isAccount) {
      return {
        status: 400,
        contentType: 'text/html; charset=utf-8',
        body: page('Unknown account', `<p>No sandbox account ${escapeHtml(chosen)}</p>`),
      };
    }
    const code = state.createAuthCode({
      userId: user.id,
      clientId,
      redirectUri,
      codeChallenge: challenge,
      challengeMethod: method === 's256' ? 'S256' : 'plain',
      scope,
    });
    const target = new URL(redirectUri);
    target.searchParams.set('state', query.get('state') ?? '');
    target.searchParams.set('code', code);
    return { status: 302, headers: { location: target.toString() }, body: '' };
  }
  const rows = state
    .accounts()
    .map((account) => {
      const approve = new URLSearchParams(query);
      approve.set('sandbox_user', account.username);
      return `<li><strong>@${escapeHtml(account.username)}</strong> ${escapeHtml(account.name)}
        <a class="button" href="${escapeHtml(`${selfPath}?${approve.toString()}`)}">Authorize app</a></li>`;
    })
    .join('\n');
  const body = page(
    'Authorize app — X sandbox',
    `<p>The app <code>${escapeHtml(clientId)}</code> asks for: ${escapeHtml(scope.join(', ') || '(no scopes)')}</p>
     <p>Choose the account to connect:</p><ul>${rows || '<li>No sandbox accounts yet.</li>'}</ul>`,
  );
  return { status: 200, contentType: 'text/html; charset=utf-8', body };
}

export function token(
  state: SandboxState,
  body: Record<string, string>,
  authorization: string | undefined,
): RawReply {
  const client = clientOf(state, body, authorization);
  if (client === null) return oauthError(401, 'unauthorized_client', 'Missing valid authorization header');
  const grant = body.grant_type;
  if (grant === 'authorization_code') {
    const { code, code_verifier: verifier, redirect_uri: redirectUri } = body;
    if (!code || !verifier || !redirectUri) return oauthError(400, 'invalid_request', INVALID_CODE);
    const issued = state.redeemAuthCode(code, { clientId: client, redirectUri, codeVerifier: verifier });
    if (!issued) return oauthError(400, 'invalid_request', INVALID_CODE);
    return { status: 200, body: tokenBody(state, issued) };
  }
  if (grant === 'refresh_token') {
    const refreshToken = body.refresh_token;
    if (!refreshToken) return oauthError(400, 'invalid_request', INVALID_TOKEN);
    const issued = state.rotateRefreshToken(refreshToken, client);
    if (!issued) return oauthError(400, 'invalid_request', INVALID_TOKEN);
    return { status: 200, body: tokenBody(state, issued) };
  }
  return oauthError(400, 'unsupported_grant_type', 'Grant type is not supported.');
}

function tokenBody(state: SandboxState, issued: ReturnType<SandboxState['issueToken']>) {
  const body: Record<string, unknown> = {
    token_type: 'bearer',
    expires_in: Math.max(0, Math.round((issued.expiresAt.getTime() - state.options.now()) / 1000)),
    access_token: issued.accessToken,
    scope: issued.scope.join(' '),
  };
  // X hands out a refresh token only when offline.access was granted.
  if (issued.scope.includes('offline.access')) body.refresh_token = issued.refreshToken;
  return body;
}

/** Basic auth for a confidential client, client_id in the body for a public one */
function clientOf(
  state: SandboxState,
  body: Record<string, string>,
  authorization: string | undefined,
): string | null {
  if (authorization?.startsWith('Basic ')) {
    const decoded = Buffer.from(authorization.slice(6), 'base64').toString();
    const split = decoded.indexOf(':');
    if (split < 0) return null;
    const id = decodeURIComponent(decoded.slice(0, split));
    const secret = decodeURIComponent(decoded.slice(split + 1));
    const registered = state.clients.get(id);
    if (registered && registered.secret !== secret) return null;
    return id;
  }
  const id = body.client_id;
  if (!id) return null;
  // A confidential client must authenticate.
  if (state.clients.has(id)) return null;
  return id;
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

export function escapeHtml(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

function page(title: string, content: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto}li{margin:.6rem 0}
.button{display:inline-block;margin-left:1rem;padding:.3rem .8rem;background:#000;color:#fff;border-radius:1rem;text-decoration:none}</style>
</head><body><h1>${escapeHtml(title)}</h1>${content}</body></html>`;
}
