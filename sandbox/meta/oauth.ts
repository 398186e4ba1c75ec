import { escapeHtml } from '../x/oauth.js';
import { type ApiReply, graphError, tokenErrorMessage } from './graph.js';
import { type MetaApp, type MetaState, type MetaToken, SHORT_LIVED_SECONDS } from './state.js';

// Facebook Login as Meta runs it: the consent dialog at /{version}/dialog/oauth (on
// www.facebook.com), the code exchange and the long-lived exchange at /{version}/oauth/access_token
// and the token inspector /{version}/debug_token (on graph.facebook.com). `sandbox_user=<id or
// name>` on the dialog URL approves at once as that person; `sandbox_deny=1` refuses.

export interface DialogReply {
  status: number;
  headers?: Record<string, string>;
  contentType?: string;
  body: string;
}

const html = (status: number, title: string, content: string): DialogReply => ({
  status,
  contentType: 'text/html; charset=utf-8',
  body: `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto}li{margin:.6rem 0}
.button{display:inline-block;margin-left:1rem;padding:.3rem .8rem;background:#0d4fae;color:#fff;border-radius:.4rem;text-decoration:none}</style>
</head><body><main><h1>${escapeHtml(title)}</h1>${content}</main></body></html>`,
});

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

export function scopesOf(raw: string | null): string[] {
  return [...new Set((raw ?? '').split(/[\s,]+/).filter((s) => s.length > 0))];
}

export function dialog(state: MetaState, query: URLSearchParams, selfPath: string): DialogReply {
  const clientId = query.get('client_id') ?? '';
  const redirectUri = query.get('redirect_uri') ?? '';
  const app = state.apps.get(clientId);
  if (!app) {
    return html(
      400,
      'Invalid App ID',
      `<p>The provided app ID "${escapeHtml(clientId)}" does not look like a valid app ID.</p>`,
    );
  }
  if (!isHttpUrl(redirectUri)) {
    return html(
      400,
      'URL blocked',
      '<p>This redirect failed because the redirect URI is not a valid URL.</p>',
    );
  }
  if (query.get('response_type') !== null && query.get('response_type') !== 'code') {
    return html(400, 'Something went wrong', '<p>response_type must be code</p>');
  }
  const scopes = scopesOf(query.get('scope'));
  const back = (fields: Record<string, string>) => {
    const target = new URL(redirectUri);
    for (const [key, value] of Object.entries(fields)) target.searchParams.set(key, value);
    const stateParam = query.get('state');
    if (stateParam !== null) target.searchParams.set('state', stateParam);
    // Facebook appends this fragment to every redirect.
    return { status: 302, headers: { location: `${target.toString()}#_=_` }, body: '' };
  };
  if (query.get('sandbox_deny') !== null) {
    return back({
      error: 'access_denied',
      error_code: '200',
      error_description: 'Permissions error',
      error_reason: 'user_denied',
    });
  }
  const chosen = query.get('sandbox_user');
  if (chosen !== null) {
    const person = state.person(chosen);
    if (!person) return html(400, 'Unknown person', `<p>No sandbox person ${escapeHtml(chosen)}</p>`);
    const administered = state.pagesAdministeredBy(person.id).map((p) => p.id);
    const picked = query
      .getAll('sandbox_pages')
      .flatMap((v) => v.split(','))
      .filter((v) => v !== '');
    const pageIds = picked.length === 0 ? null : picked.filter((id) => administered.includes(id));
    const code = state.createAuthCode({ appId: app.id, userId: person.id, redirectUri, scopes, pageIds });
    return back({ code });
  }
  const admins = [...state.people.values()].filter((p) => state.pagesAdministeredBy(p.id).length > 0);
  const link = (extra: Record<string, string>) => {
    const next = new URLSearchParams(query);
    for (const [key, value] of Object.entries(extra)) next.set(key, value);
    return escapeHtml(`${selfPath}?${next.toString()}`);
  };
  const hidden = [...query.entries()]
    .filter(([key]) => !key.startsWith('sandbox_'))
    .map(([key, value]) => `<input type="hidden" name="${escapeHtml(key)}" value="${escapeHtml(value)}">`)
    .join('');
  const rows = admins
    .map((person) => {
      const pages = state.pagesAdministeredBy(person.id);
      const names = pages.map((p) => escapeHtml(p.name)).join(', ');
      // As on Facebook, the person may grant the app only some of their Pages.
      const boxes = pages
        .map(
          (p) =>
            `<label><input type="checkbox" name="sandbox_pages" value="${escapeHtml(p.id)}" checked> ${escapeHtml(p.name)}</label>`,
        )
        .join(' ');
      return `<li><strong>${escapeHtml(person.name)}</strong> (Pages: ${names})
        <a class="button" href="${link({ sandbox_user: person.id })}">Continue as ${escapeHtml(person.name)}</a>
        <form method="get" action="${escapeHtml(selfPath)}">${hidden}
          <input type="hidden" name="sandbox_user" value="${escapeHtml(person.id)}">
          <fieldset><legend>Choose the Pages ${escapeHtml(person.name)} lets the app use</legend>${boxes}
          <button type="submit">Continue with these Pages</button></fieldset></form></li>`;
    })
    .join('\n');
  return html(
    200,
    `${app.name} is requesting access — Facebook sandbox`,
    `<p>The app <code>${escapeHtml(app.name)}</code> asks for: ${escapeHtml(scopes.join(', ') || 'public_profile')}</p>
     <p>Log in as:</p><ul>${rows || '<li>No sandbox Page admins yet.</li>'}</ul>
     <p><a href="${link({ sandbox_deny: '1' })}">Cancel</a></p>`,
  );
}

function appAuth(state: MetaState, query: URLSearchParams): MetaApp | ApiReply {
  const app = state.apps.get(query.get('client_id') ?? '');
  if (!app)
    return graphError({ message: 'Error validating application. Invalid application ID.', code: 101 });
  if (query.get('client_secret') !== app.secret)
    return graphError({ message: 'Error validating client secret.', code: 1 });
  return app;
}

function tokenBody(state: MetaState, record: MetaToken) {
  return {
    access_token: record.token,
    token_type: 'bearer',
    expires_in: Math.max(0, Math.round((record.expiresAt - state.options.now()) / 1000)),
  };
}

/** GET /oauth/access_token: code exchange, long-lived exchange, app token */
export function accessToken(state: MetaState, query: URLSearchParams): ApiReply {
  const app = appAuth(state, query);
  if (!('secret' in app)) return app;
  const grant = query.get('grant_type');
  if (grant === 'client_credentials') {
    return { status: 200, body: { access_token: `${app.id}|${app.secret}`, token_type: 'bearer' } };
  }
  if (grant === 'fb_exchange_token') {
    const input = state.tokenRecord(query.get('fb_exchange_token') ?? '');
    if (input?.kind !== 'user' || input.appId !== app.id) {
      return graphError({ message: tokenErrorMessage(undefined), code: 190 });
    }
    if (input.revokedSubcode !== null)
      return graphError({
        message: tokenErrorMessage(input.revokedSubcode),
        code: 190,
        subcode: input.revokedSubcode,
      });
    if (input.expiresAt <= state.options.now()) {
      return graphError({
        message: tokenErrorMessage(463, new Date(input.expiresAt)),
        code: 190,
        subcode: 463,
      });
    }
    const issued = state.issueUserToken(input.userId, {
      scopes: input.scopes,
      longLived: true,
      appId: app.id,
      pageIds: input.pageIds,
    });
    return { status: 200, body: tokenBody(state, issued) };
  }
  const code = query.get('code');
  if (code === null) return graphError({ message: 'Missing authorization code', code: 1 });
  const redirectUri = query.get('redirect_uri') ?? '';
  const record = state.redeemAuthCode(code, app.id, redirectUri);
  if (!record) {
    return graphError({
      message: 'This authorization code has been used, has expired or does not match the redirect_uri.',
      code: 100,
      subcode: 36009,
    });
  }
  const issued = state.issueUserToken(record.userId, {
    scopes: record.scopes,
    longLived: false,
    appId: app.id,
    ttlSeconds: SHORT_LIVED_SECONDS,
    pageIds: record.pageIds,
  });
  return { status: 200, body: tokenBody(state, issued) };
}

/** GET /debug_token?input_token=…&access_token=<app token or a token of the same app> */
export function debugToken(state: MetaState, query: URLSearchParams, bearer: string | undefined): ApiReply {
  const caller = query.get('access_token') ?? bearer ?? '';
  const [appId, secret] = caller.split('|');
  const callerApp =
    secret !== undefined
      ? state.apps.get(appId ?? '')?.secret === secret
        ? appId
        : undefined
      : state.tokenRecord(caller)?.appId;
  if (callerApp === undefined) return graphError({ message: tokenErrorMessage(undefined), code: 190 });
  const input = query.get('input_token');
  if (!input) return graphError({ message: '(#100) The parameter input_token is required', code: 100 });
  const record = state.tokenRecord(input);
  if (!record || record.appId !== callerApp) {
    return {
      status: 200,
      body: {
        data: { error: { code: 190, message: tokenErrorMessage(undefined) }, is_valid: false, scopes: [] },
      },
    };
  }
  const now = state.options.now();
  const expired = record.expiresAt !== 0 && record.expiresAt <= now;
  const data: Record<string, unknown> = {
    app_id: record.appId,
    type: record.kind === 'page' ? 'PAGE' : 'USER',
    application: state.apps.get(record.appId)?.name ?? record.appId,
    data_access_expires_at: Math.floor((record.issuedAt + 90 * 24 * 3600 * 1000) / 1000),
    expires_at: record.expiresAt === 0 ? 0 : Math.floor(record.expiresAt / 1000),
    is_valid: record.revokedSubcode === null && !expired,
    issued_at: Math.floor(record.issuedAt / 1000),
    scopes: record.scopes,
    granular_scopes: record.scopes
      .filter((s) => s.startsWith('pages_') || s.startsWith('instagram_'))
      .map((scope) => ({
        scope,
        target_ids: (record.kind === 'page'
          ? state.pagesAdministeredBy(record.userId).filter((p) => p.id === record.pageId)
          : state.grantedPages(record)
        ).flatMap((p) => (scope.startsWith('instagram_') ? (p.igUserId ? [p.igUserId] : []) : [p.id])),
      })),
    user_id: record.userId,
  };
  if (record.pageId) data.profile_id = record.pageId;
  if (record.revokedSubcode !== null || expired) {
    const subcode = record.revokedSubcode ?? 463;
    data.error = { code: 190, message: tokenErrorMessage(subcode, new Date(record.expiresAt)), subcode };
  }
  return { status: 200, body: { data } };
}
