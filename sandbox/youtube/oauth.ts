import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { SandboxFaults } from '../core/faults.js';
import { apiContext, FormBody, platformApi } from '../core/http.js';
import { escapeHtml } from '../x/oauth.js';
import { youtubeShapes } from './errors.js';
import { ACCESS_TOKEN_SECONDS, type YouTubeState } from './state.js';

// Google's OAuth 2.0 for a YouTube channel: the consent page (accounts.google.com/o/oauth2/v2/auth,
// here /google-oauth/o/oauth2/v2/auth), where the person signs in and chooses which of their
// channels (brand accounts) the app may manage, and the token endpoint (oauth2.googleapis.com/token,
// here /google-oauth/token) for the code exchange (with PKCE) and refresh. `sandbox_user=<id or
// name>&sandbox_channel=<id or handle>` on the consent URL approves at once; `sandbox_deny=1` refuses.

export interface ConsentReply {
  status: number;
  headers?: Record<string, string>;
  contentType?: string;
  body: string;
}

const page = (status: number, title: string, content: string): ConsentReply => ({
  status,
  contentType: 'text/html; charset=utf-8',
  body: `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto}li{margin:.6rem 0}
.button{display:inline-block;margin-left:1rem;padding:.3rem .8rem;background:#c00;color:#fff;border-radius:.4rem;text-decoration:none}</style>
</head><body><main><h1>${escapeHtml(title)}</h1>${content}</main></body></html>`,
});

export function consent(state: YouTubeState, query: URLSearchParams, selfPath: string): ConsentReply {
  const client = state.clients.get(query.get('client_id') ?? '');
  if (!client) {
    return page(
      401,
      'Access blocked: authorisation error',
      '<p>Error 401: invalid_client. The OAuth client was not found.</p>',
    );
  }
  const redirectUri = query.get('redirect_uri') ?? '';
  let target: URL;
  try {
    target = new URL(redirectUri);
  } catch {
    return page(400, 'Access blocked: authorisation error', '<p>Error 400: redirect_uri_mismatch.</p>');
  }
  if (query.get('response_type') !== 'code') {
    return page(
      400,
      'Access blocked: authorisation error',
      '<p>Error 400: invalid_request. response_type must be code.</p>',
    );
  }
  const back = (fields: Record<string, string>): ConsentReply => {
    for (const [key, value] of Object.entries(fields)) target.searchParams.set(key, value);
    const stateParam = query.get('state');
    if (stateParam !== null) target.searchParams.set('state', stateParam);
    return { status: 302, headers: { location: target.toString() }, body: '' };
  };
  if (query.get('sandbox_deny') !== null) return back({ error: 'access_denied' });
  const scopes = (query.get('scope') ?? '').split(/\s+/).filter((s) => s !== '');
  const chosenUser = query.get('sandbox_user');
  const chosenChannel = query.get('sandbox_channel');
  if (chosenUser !== null && chosenChannel !== null) {
    const person = state.person(chosenUser);
    const channel = state.channel(chosenChannel);
    if (!person || !channel || channel.ownerId !== person.id) {
      return page(400, 'Unknown account', '<p>That person does not own that channel.</p>');
    }
    const code = state.createAuthCode({
      clientId: client.id,
      personId: person.id,
      channelId: channel.id,
      redirectUri,
      scopes,
      codeChallenge: query.get('code_challenge'),
    });
    return back({ code, scope: scopes.join(' ') });
  }
  const link = (extra: Record<string, string>) => {
    const next = new URLSearchParams(query);
    for (const [key, value] of Object.entries(extra)) next.set(key, value);
    return escapeHtml(`${selfPath}?${next.toString()}`);
  };
  const owners = [...state.people.values()].filter((p) =>
    state.channelsOwnedBy(p.id).some((c) => state.videosOf(c.id).length > 0),
  );
  const rows = owners
    .map((person) => {
      const channels = state
        .channelsOwnedBy(person.id)
        .map(
          (c) =>
            `<li>${escapeHtml(c.title)} (${escapeHtml(c.handle)})
             <a class="button" href="${link({ sandbox_user: person.id, sandbox_channel: c.id })}">Choose ${escapeHtml(c.title)}</a></li>`,
        )
        .join('');
      return `<li><strong>${escapeHtml(person.name)}</strong> (${escapeHtml(person.email)})<ul>${channels}</ul></li>`;
    })
    .join('\n');
  return page(
    200,
    `Choose an account or a brand account to continue to ${client.name} — Google sandbox`,
    `<p>${escapeHtml(client.name)} wants to: ${escapeHtml(scopes.join(', ') || 'see your profile')}</p>
     <ul>${rows || '<li>No sandbox channel owners yet.</li>'}</ul>
     <p><a href="${link({ sandbox_deny: '1' })}">Cancel</a></p>`,
  );
}

const oauthError = (status: number, error: string, description: string) => ({
  status,
  body: { error, error_description: description },
});

function s256(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
}

/** register with `prefix: '/google-oauth'` */
export async function googleTokenApi(
  api: FastifyInstance,
  options: { state: YouTubeState; faults: SandboxFaults; now: () => number },
): Promise<void> {
  const { state } = options;
  platformApi(api, {
    faults: options.faults,
    log: state.requestLog,
    now: options.now,
    shapes: youtubeShapes,
    tokenUser: () => null,
    limitOf: () => 0,
  });
  api.post('/token', async (request, reply) => {
    const ctx = apiContext(request);
    ctx.entry.endpoint = 'POST /token';
    const fields =
      request.body instanceof FormBody
        ? request.body.fields
        : ((request.body ?? {}) as Record<string, string>);
    const answer = token(state, fields);
    ctx.entry.tokenUser = answer.channelId ?? null;
    return reply.code(answer.status).send(answer.body);
  });
}

function token(
  state: YouTubeState,
  fields: Record<string, string>,
): { status: number; body: unknown; channelId?: string } {
  const client = state.clients.get(fields.client_id ?? '');
  if (!client) return oauthError(401, 'invalid_client', 'The OAuth client was not found.');
  if (fields.client_secret !== client.secret) return oauthError(401, 'invalid_client', 'Unauthorized');
  if (fields.grant_type === 'authorization_code') {
    const code = state.redeemAuthCode(fields.code ?? '');
    if (!code || code.clientId !== client.id || code.redirectUri !== fields.redirect_uri) {
      return oauthError(400, 'invalid_grant', 'Malformed auth code.');
    }
    if (code.codeChallenge !== null && s256(fields.code_verifier ?? '') !== code.codeChallenge) {
      return oauthError(400, 'invalid_grant', 'Invalid code verifier.');
    }
    const { access, refresh } = state.issueTokens({
      channel: code.channelId,
      clientId: client.id,
      scopes: code.scopes,
    });
    return {
      status: 200,
      channelId: code.channelId,
      body: {
        access_token: access.token,
        expires_in: ACCESS_TOKEN_SECONDS,
        refresh_token: refresh.token,
        scope: code.scopes.join(' '),
        token_type: 'Bearer',
      },
    };
  }
  if (fields.grant_type === 'refresh_token') {
    const record = state.tokens.get(fields.refresh_token ?? '');
    if (record?.kind !== 'refresh' || record.revoked || record.clientId !== client.id) {
      return oauthError(400, 'invalid_grant', 'Token has been expired or revoked.');
    }
    const access = state.issueAccess(record);
    return {
      status: 200,
      channelId: record.channelId,
      body: {
        access_token: access.token,
        expires_in: ACCESS_TOKEN_SECONDS,
        scope: record.scopes.join(' '),
        token_type: 'Bearer',
      },
    };
  }
  return oauthError(400, 'unsupported_grant_type', `Invalid grant_type: ${fields.grant_type ?? ''}`);
}
