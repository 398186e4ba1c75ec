// How a Facebook Page or an Instagram business account connects (the profile's `facebook-login`
// method): the Facebook Login dialog, the code exchanged for a user token, that token for a
// long-lived one, and `/me/accounts` for the Pages the person administers, each with its Page
// token and linked Instagram business account. Plain fetch, every answer validated.

import { createHmac } from 'node:crypto';
import { z } from 'zod';
import type { MetaConfig } from '../../config/load-config.js';
import { PlatformError, truncate } from './adapter.js';

/**
 * What the app asks for, and why: list the Pages (pages_show_list), read their posts and comments
 * (pages_read_engagement, pages_read_user_content), reply, hide, delete and ban
 * (pages_manage_engagement), subscribe the Page to webhooks (pages_manage_metadata), and the same
 * for the linked Instagram account (instagram_basic, instagram_manage_comments).
 */
export const FACEBOOK_LOGIN_SCOPES = [
  'pages_show_list',
  'pages_read_engagement',
  'pages_read_user_content',
  'pages_manage_engagement',
  'pages_manage_metadata',
  'instagram_basic',
  'instagram_manage_comments',
] as const;

/** The most Pages read from `/me/accounts` (four pages of 100). */
const MAX_PAGES_LISTED = 400;

export interface ManagedPage {
  pageId: string;
  name: string;
  /** the Page token (from a long-lived user token: it does not expire) */
  accessToken: string;
  /** what the person may do on the Page ('MODERATE', 'MANAGE', …) */
  tasks: string[];
  instagram: { id: string; username: string } | null;
}

/** The dialog lives on www.facebook.com; a sandbox serves it beside its Graph API. */
function dialogOrigin(meta: MetaConfig): string {
  return meta.graphBaseUrl === 'https://graph.facebook.com' ? 'https://www.facebook.com' : meta.graphBaseUrl;
}

export function facebookLoginUrl(meta: MetaConfig, input: { redirectUri: string; state: string }): string {
  const url = new URL(`${dialogOrigin(meta)}/${meta.graphVersion}/dialog/oauth`);
  url.searchParams.set('client_id', meta.appId);
  url.searchParams.set('redirect_uri', input.redirectUri);
  url.searchParams.set('state', input.state);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('scope', FACEBOOK_LOGIN_SCOPES.join(','));
  return url.toString();
}

const tokenAnswer = z.object({
  access_token: z.string().min(1).max(4_096),
  token_type: z.string().optional(),
  expires_in: z.number().int().nonnegative().optional(),
});

const graphErrorBody = z.object({
  error: z.object({
    message: z.string().optional(),
    code: z.number().optional(),
    error_subcode: z.number().optional(),
  }),
});

const pageList = z.object({
  data: z.array(
    z.object({
      id: z.string().regex(/^\d{1,32}$/),
      name: z.string().min(1).max(200),
      access_token: z.string().min(1).max(4_096).optional(),
      tasks: z.array(z.string().max(64)).max(32).optional(),
      instagram_business_account: z
        .object({ id: z.string().regex(/^\d{1,32}$/), username: z.string().min(1).max(64) })
        .optional(),
    }),
  ),
  paging: z.object({ next: z.string().optional() }).optional(),
});

async function graphGet<T>(endpoint: string, url: URL, schema: z.ZodType<T>, timeoutMs: number): Promise<T> {
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'error' });
  } catch (cause) {
    throw new PlatformError('transient', `${endpoint}: Facebook did not answer`, { endpoint, cause });
  }
  const text = (await response.text()).slice(0, 1_000_000);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new PlatformError('malformed', `${endpoint}: the answer was not JSON`, {
      endpoint,
      status: response.status,
      rawBody: truncate(text, 2_000),
    });
  }
  if (!response.ok) {
    const error = graphErrorBody.safeParse(body);
    const code = error.success ? error.data.error.code : undefined;
    const reason = error.success ? error.data.error.message : undefined;
    const kind = response.status >= 500 || code === 1 || code === 2 ? 'transient' : 'auth';
    throw new PlatformError(kind, `${endpoint} failed (${response.status}${code ? `, code ${code}` : ''})`, {
      endpoint,
      status: response.status,
      ...(reason ? { reason: truncate(reason, 500) } : {}),
    });
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    throw new PlatformError('malformed', `${endpoint}: unexpected answer`, {
      endpoint,
      status: response.status,
      rawBody: truncate(text, 2_000),
    });
  }
  return parsed.data;
}

function graphUrl(meta: MetaConfig, path: string): URL {
  return new URL(`${meta.graphBaseUrl}/${meta.graphVersion}/${path}`);
}

/**
 * The dialog's code → a short-lived user token → a long-lived one (about 60 days), whose Page
 * tokens do not expire. The user token itself is never stored.
 */
export async function exchangeFacebookCode(
  meta: MetaConfig,
  input: { code: string; redirectUri: string },
  timeoutMs = 15_000,
): Promise<{ userToken: string }> {
  const endpoint = 'GET /oauth/access_token';
  const first = graphUrl(meta, 'oauth/access_token');
  first.searchParams.set('client_id', meta.appId);
  first.searchParams.set('client_secret', meta.appSecret);
  first.searchParams.set('redirect_uri', input.redirectUri);
  first.searchParams.set('code', input.code);
  const short = await graphGet(endpoint, first, tokenAnswer, timeoutMs);
  const second = graphUrl(meta, 'oauth/access_token');
  second.searchParams.set('grant_type', 'fb_exchange_token');
  second.searchParams.set('client_id', meta.appId);
  second.searchParams.set('client_secret', meta.appSecret);
  second.searchParams.set('fb_exchange_token', short.access_token);
  const long = await graphGet(endpoint, second, tokenAnswer, timeoutMs);
  return { userToken: long.access_token };
}

const meAnswer = z.object({ id: z.string().regex(/^\d{1,25}$/), name: z.string().max(500) });

/** Who signed in to Facebook: said back to them when their Pages do not include the approved one. */
export async function readFacebookUser(
  meta: MetaConfig,
  userToken: string,
  timeoutMs = 15_000,
): Promise<{ id: string; name: string }> {
  const url = graphUrl(meta, 'me');
  url.searchParams.set('fields', 'id,name');
  url.searchParams.set('access_token', userToken);
  url.searchParams.set(
    'appsecret_proof',
    createHmac('sha256', meta.appSecret).update(userToken).digest('hex'),
  );
  return graphGet('GET /me', url, meAnswer, timeoutMs);
}

/** The Pages the person administers, each with its Page token and linked Instagram business account. */
export async function listManagedPages(
  meta: MetaConfig,
  userToken: string,
  timeoutMs = 15_000,
): Promise<ManagedPage[]> {
  const endpoint = 'GET /me/accounts';
  let url: URL | null = graphUrl(meta, 'me/accounts');
  url.searchParams.set('fields', 'id,name,access_token,tasks,instagram_business_account{id,username}');
  url.searchParams.set('limit', '100');
  url.searchParams.set('access_token', userToken);
  url.searchParams.set(
    'appsecret_proof',
    createHmac('sha256', meta.appSecret).update(userToken).digest('hex'),
  );
  const pages: ManagedPage[] = [];
  const origin = new URL(meta.graphBaseUrl).origin;
  while (url && pages.length < MAX_PAGES_LISTED) {
    const answer: z.infer<typeof pageList> = await graphGet(endpoint, url, pageList, timeoutMs);
    for (const p of answer.data) {
      if (!p.access_token) continue; // not an admin of it: no Page token, nothing it could do
      pages.push({
        pageId: p.id,
        name: p.name,
        accessToken: p.access_token,
        tasks: p.tasks ?? [],
        instagram: p.instagram_business_account ?? null,
      });
    }
    const next: string | undefined = answer.paging?.next;
    url = next && new URL(next).origin === origin ? new URL(next) : null;
  }
  return pages.slice(0, MAX_PAGES_LISTED);
}
