import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { handleAdmin } from './sandbox-admin.js';
import { SandboxFaults } from './sandbox-faults.js';
import { authorize, type RawReply, token } from './sandbox-oauth.js';
import { type RateLimitWindow, SandboxRateLimits } from './sandbox-rate-limits.js';
import { type RequestLogEntry, SandboxState } from './sandbox-state.js';
import { matchRoute } from './x-api-routes.js';
import { problems } from './x-responses.js';

// A real HTTP server that answers like X API v2 for the subset Hallmonitor uses. Tests and
// `npm run demo` point the real twitter-api-v2 client at it.

export interface SandboxOptions {
  /** 0 (default) picks a free port */
  port?: number;
  host?: string;
  /** per endpoint pattern, e.g. { 'GET /2/users/:id/mentions': { limit: 5, windowSeconds: 60 } } */
  rateLimits?: Partial<Record<string, RateLimitWindow>>;
  /** allow blocking endpoints (X offers them to enterprise apps only) */
  enterprise?: boolean;
  tokenTtlSeconds?: number;
  /** how many of the most recent mentions the mentions timeline reaches (X: 800) */
  mentionReach?: number;
  now?: () => number;
}

export interface Sandbox {
  url: string;
  state: SandboxState;
  faults: SandboxFaults;
  rateLimits: SandboxRateLimits;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 1024 * 1024;
const JSON_TYPE = 'application/json; charset=utf-8';

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const now = options.now ?? Date.now;
  const state = new SandboxState({ tokenTtlSeconds: options.tokenTtlSeconds ?? 7200, now });
  const faults = new SandboxFaults();
  const rateLimits = new SandboxRateLimits(options.rateLimits ?? {}, now);
  const enterprise = options.enterprise ?? false;
  const mentionReach = options.mentionReach ?? 800;

  const server = http.createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) send(res, { status: 500, body: problems.unavailable(500).body as object });
      else res.destroy();
    });
  });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    const url = new URL(req.url ?? '/', 'http://sandbox.invalid');
    const path = url.pathname;

    if (path.startsWith('/sandbox/')) {
      const body = await readBody(req);
      const reply = handleAdmin({ state, faults, rateLimits }, method, path, url.searchParams, body.json);
      send(res, { status: reply.status, body: reply.body as object });
      return;
    }
    if (method === 'GET' && path === '/i/oauth2/authorize') {
      send(res, authorize(state, url.searchParams, path));
      return;
    }
    if (!path.startsWith('/2/')) {
      send(res, { status: 404, body: problems.routeNotFound().body as object });
      return;
    }

    const isToken = method === 'POST' && path === '/2/oauth2/token';
    const matched = isToken ? null : matchRoute(method, path);
    const endpoint = isToken ? 'POST /2/oauth2/token' : (matched?.endpoint ?? null);
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const tokenUser = bearer === undefined ? null : state.tokenUser(bearer);
    const entry = state.record({
      method,
      path,
      query: url.search,
      endpoint,
      at: new Date(now()),
      tokenUser,
      status: 0,
      fault: null,
    });
    const faultKey = endpoint ?? `${method} ${path}`;

    if (faults.latencyMs > 0) await sleep(faults.latencyMs);
    if (faults.takeConnectionReset(faultKey, path)) {
      entry.fault = 'connectionReset';
      req.socket.destroy();
      return;
    }
    const failStatus = faults.take5xx(faultKey, path);
    if (failStatus !== null) {
      entry.fault = 'status5xx';
      finish(res, entry, { status: failStatus, body: problems.unavailable(failStatus).body as object });
      return;
    }
    const forcedReset = faults.takeRateLimit(faultKey, path);
    if (forcedReset !== null) {
      entry.fault = 'rateLimitNext';
      const limit = endpoint === null ? 0 : rateLimits.limitOf(endpoint);
      finish(res, entry, {
        status: 429,
        headers: rateHeaders(limit, 0, Math.ceil((now() + forcedReset * 1000) / 1000)),
        body: problems.tooManyRequests().body as object,
      });
      return;
    }

    const body = await readBody(req);
    if (body.tooLarge) {
      finish(res, entry, {
        status: 413,
        body: { title: 'Payload Too Large', status: 413, type: 'about:blank' },
      });
      return;
    }

    let reply: RawReply;
    if (isToken) {
      reply = token(state, stringFields(body.json ?? body.form), req.headers.authorization);
    } else if (matched === null) {
      reply = { status: 404, body: problems.routeNotFound().body as object };
    } else if (bearer === undefined || tokenUser === null) {
      reply = { status: 401, body: problems.unauthorized().body as object };
    } else {
      const verdict = rateLimits.consume(bearer, matched.endpoint);
      const headers = rateHeaders(verdict.limit, verdict.remaining, verdict.reset);
      if (!verdict.allowed) {
        reply = { status: 429, headers, body: problems.tooManyRequests().body as object };
      } else {
        const result = matched.handle({
          state,
          userId: tokenUser,
          query: url.searchParams,
          body: body.json,
          params: matched.params,
          enterprise,
          mentionReach,
          now: now(),
        });
        reply = { status: result.status, headers, body: result.body as object };
      }
    }
    if (faults.takeMalformed(faultKey, path)) {
      entry.fault = 'malformedJson';
      const text = JSON.stringify(reply.body);
      reply = { ...reply, body: `${text.slice(0, Math.max(1, Math.floor(text.length / 2)))}` };
      reply.contentType = JSON_TYPE;
    }
    finish(res, entry, reply);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://${address.address}:${address.port}`,
    state,
    faults,
    rateLimits,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function rateHeaders(limit: number, remaining: number, reset: number): Record<string, string> {
  return {
    'x-rate-limit-limit': String(limit),
    'x-rate-limit-remaining': String(remaining),
    'x-rate-limit-reset': String(reset),
  };
}

function finish(res: http.ServerResponse, entry: RequestLogEntry, reply: RawReply): void {
  entry.status = reply.status;
  send(res, reply);
}

function send(res: http.ServerResponse, reply: RawReply): void {
  const text = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
  const contentType =
    reply.contentType ?? (typeof reply.body === 'string' ? 'text/plain; charset=utf-8' : JSON_TYPE);
  res.writeHead(reply.status, {
    'content-type': contentType,
    'content-length': Buffer.byteLength(text),
    ...reply.headers,
  });
  res.end(text);
}

async function readBody(
  req: http.IncomingMessage,
): Promise<{ json: unknown; form: Record<string, string> | null; tooLarge: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return { json: undefined, form: null, tooLarge: true };
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString();
  if (text.length === 0) return { json: undefined, form: null, tooLarge: false };
  const type = req.headers['content-type'] ?? '';
  if (type.includes('application/x-www-form-urlencoded')) {
    return { json: undefined, form: Object.fromEntries(new URLSearchParams(text)), tooLarge: false };
  }
  try {
    return { json: JSON.parse(text), form: null, tooLarge: false };
  } catch {
    return { json: undefined, form: null, tooLarge: false };
  }
}

function stringFields(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (value === null || typeof value !== 'object') return out;
  for (const [key, field] of Object.entries(value)) {
    if (typeof field === 'string') out[key] = field;
  }
  return out;
}
