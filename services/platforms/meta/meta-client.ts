import { createHmac } from 'node:crypto';
import type { z } from 'zod';
import { metrics } from '../../core/metrics.js';
import { MAX_RAW_BODY_CHARS, PlatformError, type RateLimitState, truncate } from '../adapter.js';
import { type CallRole, classifyGraphError } from './meta-errors.js';
import { DEFAULT_USAGE_POLICY, MetaUsage, readUsage, type UsagePolicy } from './meta-usage.js';

export const DEFAULT_GRAPH_BASE_URL = 'https://graph.facebook.com';
export const DEFAULT_GRAPH_VERSION = 'v21.0';
/** the most a Graph answer may be; anything longer is refused unread */
export const MAX_GRAPH_BODY_BYTES = 4 * 1024 * 1024;

export interface GraphClientOptions {
  accessToken: string;
  /** the app secret: every call carries appsecret_proof = HMAC-SHA256(token, secret) */
  appSecret: string;
  graphBaseUrl?: string;
  graphVersion?: string;
  requestTimeoutMs?: number;
  usagePolicy?: UsagePolicy;
  now?: () => number;
  platform: 'facebook' | 'instagram';
}

export type GraphParams = Record<string, string | number | boolean | undefined>;

export function appSecretProof(accessToken: string, appSecret: string): string {
  return createHmac('sha256', appSecret).update(accessToken).digest('hex');
}

/**
 * A Graph API client over fetch: one token, no SDK. Every answer is read as text (bounded),
 * its usage headers recorded, non-2xx bodies classified (meta-errors.ts) and 2xx bodies parsed
 * with the caller's zod schema; a body that fails is 'malformed' carrying the raw text.
 */
export class GraphClient {
  readonly usage: MetaUsage;
  private readonly base: string;
  private readonly proof: string;
  private readonly now: () => number;
  private readonly timeoutMs: number;
  private readonly controllers = new Set<AbortController>();

  constructor(private readonly options: GraphClientOptions) {
    this.now = options.now ?? Date.now;
    this.usage = new MetaUsage(this.now, options.usagePolicy ?? DEFAULT_USAGE_POLICY);
    const origin = (options.graphBaseUrl ?? DEFAULT_GRAPH_BASE_URL).replace(/\/+$/, '');
    this.base = `${origin}/${options.graphVersion ?? DEFAULT_GRAPH_VERSION}`;
    this.proof = appSecretProof(options.accessToken, options.appSecret);
    this.timeoutMs = options.requestTimeoutMs ?? 30_000;
  }

  get<T>(endpoint: string, path: string, params: GraphParams, schema: z.ZodType<T>): Promise<T> {
    return this.call('GET', endpoint, path, params, schema, 'read');
  }

  post<T>(endpoint: string, path: string, params: GraphParams, schema: z.ZodType<T>): Promise<T> {
    return this.call('POST', endpoint, path, params, schema, 'action');
  }

  delete<T>(endpoint: string, path: string, params: GraphParams, schema: z.ZodType<T>): Promise<T> {
    return this.call('DELETE', endpoint, path, params, schema, 'action');
  }

  /** Follows a `paging.next` URL; only one on the same Graph origin is followed. */
  getNext<T>(endpoint: string, next: string, schema: z.ZodType<T>): Promise<T> {
    const url = new URL(next);
    const base = new URL(this.base);
    if (url.origin !== base.origin) {
      throw new PlatformError('malformed', `${endpoint}: paging.next points outside the Graph API`, {
        endpoint,
        rawBody: truncate(next, 500),
      });
    }
    url.searchParams.delete('access_token');
    url.searchParams.delete('appsecret_proof');
    return this.send('GET', endpoint, url, undefined, schema, 'read');
  }

  rateLimitState(endpoint: string): RateLimitState | null {
    return this.usage.state(endpoint);
  }

  close(): void {
    for (const controller of this.controllers) controller.abort();
    this.controllers.clear();
  }

  private call<T>(
    method: 'GET' | 'POST' | 'DELETE',
    endpoint: string,
    path: string,
    params: GraphParams,
    schema: z.ZodType<T>,
    role: CallRole,
  ): Promise<T> {
    const url = new URL(`${this.base}/${path.split('/').map(encodeURIComponent).join('/')}`);
    const fields = new URLSearchParams();
    for (const [key, value] of Object.entries(params)) {
      if (value !== undefined) fields.set(key, String(value));
    }
    if (method === 'POST') return this.send(method, endpoint, url, fields, schema, role);
    for (const [key, value] of fields) url.searchParams.set(key, value);
    return this.send(method, endpoint, url, undefined, schema, role);
  }

  private async send<T>(
    method: 'GET' | 'POST' | 'DELETE',
    endpoint: string,
    url: URL,
    form: URLSearchParams | undefined,
    schema: z.ZodType<T>,
    role: CallRole,
  ): Promise<T> {
    this.usage.assertAvailable(endpoint);
    url.searchParams.set('appsecret_proof', this.proof);
    const controller = new AbortController();
    this.controllers.add(controller);
    const timer = setTimeout(() => controller.abort(), this.timeoutMs);
    const platform = this.options.platform;
    let response: Response;
    let text: string;
    try {
      response = await fetch(url, {
        method,
        headers: {
          authorization: `Bearer ${this.options.accessToken}`,
          accept: 'application/json',
          ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
        },
        ...(form ? { body: form.toString() } : {}),
        signal: controller.signal,
        redirect: 'error',
      });
      text = await readBounded(response);
    } catch (error) {
      metrics.platformCalls.inc({ platform, endpoint, status: 'network' });
      if (error instanceof PlatformError) throw error;
      const timedOut = controller.signal.aborted;
      throw new PlatformError(
        'transient',
        timedOut
          ? `${endpoint}: no response within ${this.timeoutMs} ms`
          : `${endpoint}: request failed (network)`,
        { endpoint, cause: error },
      );
    } finally {
      clearTimeout(timer);
      this.controllers.delete(controller);
    }
    this.usage.record(readUsage(response.headers));
    metrics.platformCalls.inc({ platform, endpoint, status: `${Math.floor(response.status / 100)}xx` });
    if (!response.ok) {
      const error = classifyGraphError({
        endpoint,
        role,
        status: response.status,
        text,
        regainAt: this.usage.regainAt(),
        now: this.now(),
      });
      if (error.kind === 'rate_limited' && error.resetAt) this.usage.recordThrottled(error.resetAt);
      throw error;
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new PlatformError('malformed', `${endpoint} sent a body that is not JSON`, {
        endpoint,
        status: response.status,
        rawBody: truncate(text, MAX_RAW_BODY_CHARS),
      });
    }
    return parseGraph(schema, json, endpoint);
  }
}

async function readBounded(response: Response): Promise<string> {
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > MAX_GRAPH_BODY_BYTES) {
    await response.body?.cancel();
    throw new PlatformError(
      'malformed',
      `answer of ${declared} bytes is larger than ${MAX_GRAPH_BODY_BYTES}`,
    );
  }
  if (!response.body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    if (size > MAX_GRAPH_BODY_BYTES) {
      throw new PlatformError('malformed', `answer larger than ${MAX_GRAPH_BODY_BYTES} bytes`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Parses or throws 'malformed' carrying the body (truncated). */
export function parseGraph<T>(schema: z.ZodType<T>, body: unknown, endpoint: string): T {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const where = result.error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
    .join('; ');
  let raw: string;
  try {
    raw = JSON.stringify(body) ?? String(body);
  } catch {
    raw = String(body);
  }
  throw new PlatformError('malformed', `${endpoint} sent a payload that failed validation (${where})`, {
    endpoint,
    rawBody: truncate(raw, MAX_RAW_BODY_CHARS),
  });
}
