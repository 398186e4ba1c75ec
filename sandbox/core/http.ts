import { setTimeout as sleep } from 'node:timers/promises';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { SandboxFaults } from './faults.js';
import type { RequestLog, RequestLogEntry } from './request-log.js';

// The sandbox's HTTP host, on Fastify. Every platform module registers its API in its own
// encapsulated scope through `platformApi`, which logs each request and applies the switched-on
// faults there (never to the /sandbox/ admin helpers or the OAuth consent page), answering in the
// platform's own shapes.

export const MAX_BODY_BYTES = 1024 * 1024;
export const JSON_TYPE = 'application/json; charset=utf-8';

/** a form-encoded body (OAuth token requests); every other body is read as JSON, or undefined */
export class FormBody {
  constructor(readonly fields: Record<string, string>) {}
}

/** a JSON body, or undefined for a form body, no body or one that is not JSON */
export function jsonBody(body: unknown): unknown {
  return body instanceof FormBody ? undefined : body;
}

export function createSandboxHttp(): FastifyInstance {
  const app = Fastify({
    logger: false,
    bodyLimit: MAX_BODY_BYTES,
    // Ids and tokens in paths can be long; the platforms do not cut them short.
    routerOptions: { maxParamLength: 2_000 },
    forceCloseConnections: true,
    // A HEAD request is not one the platforms answer for a GET route.
    exposeHeadRoutes: false,
  });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (request, text, done) => {
    const body = String(text);
    if (body.length === 0) return done(null, undefined);
    if ((request.headers['content-type'] ?? '').includes('application/x-www-form-urlencoded')) {
      return done(null, new FormBody(Object.fromEntries(new URLSearchParams(body))));
    }
    try {
      done(null, JSON.parse(body));
    } catch {
      // A platform reads an unparseable body as no body and says which field is missing.
      done(null, undefined);
    }
  });
  return app;
}

/** A platform's own answers for what the host, not a route, decides. */
export interface PlatformShapes {
  unavailable(status: number): unknown;
  tooManyRequests(): unknown;
  /** the HTTP status of a forced rate-limit refusal (default 429; Graph answers 403) */
  tooManyRequestsStatus?: number;
  rateLimitHeaders(limit: number, remaining: number, resetUnixSeconds: number): Record<string, string>;
  routeNotFound(): unknown;
  /** the HTTP status of an unknown route (default 404; Graph answers 400) */
  routeNotFoundStatus?: number;
  payloadTooLarge(): unknown;
}

export interface PlatformApiOptions {
  faults: SandboxFaults;
  log: RequestLog;
  now: () => number;
  shapes: PlatformShapes;
  /** the user behind a bearer token, null when the token is unknown or expired */
  tokenUser(token: string): string | null;
  /** the endpoint's limit, for the headers of a forced 429 */
  limitOf(endpoint: string): number;
}

/** What the host knows of one API request. */
export interface ApiRequestContext {
  entry: RequestLogEntry;
  /** 'GET /2/users/:id/mentions', or `${method} ${path}` for an unknown route */
  faultKey: string;
  endpoint: string | null;
  path: string;
  query: URLSearchParams;
  bearer: string | undefined;
  tokenUser: string | null;
  /** a fault or host error answered: the malformed-JSON fault leaves it alone */
  answered: boolean;
}

const contexts = new WeakMap<FastifyRequest['raw'], ApiRequestContext>();

export function apiContext(request: FastifyRequest): ApiRequestContext {
  const ctx = contexts.get(request.raw);
  if (!ctx) throw new Error('not an API request of a sandbox platform');
  return ctx;
}

/** Logs and applies faults to every request in `scope`, routes and unknown paths alike. */
export function platformApi(scope: FastifyInstance, options: PlatformApiOptions): void {
  const { faults, shapes } = options;

  scope.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    const url = new URL(request.url, 'http://sandbox.invalid');
    const pattern = request.is404 ? undefined : request.routeOptions.url;
    const endpoint = pattern === undefined ? null : `${request.method} ${pattern}`;
    const bearer = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
    const tokenUser = bearer === undefined ? null : options.tokenUser(bearer);
    const entry = options.log.record({
      method: request.method,
      path: url.pathname,
      query: url.search,
      endpoint,
      at: new Date(options.now()),
      tokenUser,
      status: 0,
      fault: null,
    });
    const ctx: ApiRequestContext = {
      entry,
      faultKey: endpoint ?? `${request.method} ${url.pathname}`,
      endpoint,
      path: url.pathname,
      query: url.searchParams,
      bearer,
      tokenUser,
      answered: false,
    };
    contexts.set(request.raw, ctx);

    if (faults.latencyMs > 0) await sleep(faults.latencyMs);
    if (faults.takeConnectionReset(ctx.faultKey, ctx.path)) {
      entry.fault = 'connectionReset';
      reply.hijack();
      request.raw.socket.destroy();
      return reply;
    }
    const failStatus = faults.take5xx(ctx.faultKey, ctx.path);
    if (failStatus !== null) {
      entry.fault = 'status5xx';
      ctx.answered = true;
      return reply.code(failStatus).send(shapes.unavailable(failStatus));
    }
    const forcedReset = faults.takeRateLimit(ctx.faultKey, ctx.path);
    if (forcedReset !== null) {
      entry.fault = 'rateLimitNext';
      ctx.answered = true;
      const limit = endpoint === null ? 0 : options.limitOf(endpoint);
      const reset = Math.ceil((options.now() + forcedReset * 1000) / 1000);
      return reply
        .code(shapes.tooManyRequestsStatus ?? 429)
        .headers(shapes.rateLimitHeaders(limit, 0, reset))
        .send(shapes.tooManyRequests());
    }
    return undefined;
  });

  scope.addHook('onSend', async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    const ctx = contexts.get(request.raw);
    if (!ctx || ctx.answered || !faults.takeMalformed(ctx.faultKey, ctx.path)) return payload;
    ctx.entry.fault = 'malformedJson';
    const text = typeof payload === 'string' ? payload : String(payload ?? '');
    reply.header('content-type', JSON_TYPE);
    return text.slice(0, Math.max(1, Math.floor(text.length / 2)));
  });

  scope.addHook('onResponse', async (request: FastifyRequest, reply: FastifyReply) => {
    const ctx = contexts.get(request.raw);
    if (ctx) ctx.entry.status = reply.statusCode;
  });

  scope.setNotFoundHandler(async (_request, reply) =>
    reply.code(shapes.routeNotFoundStatus ?? 404).send(shapes.routeNotFound()),
  );

  scope.setErrorHandler(async (error: { code?: string }, request, reply) => {
    const ctx = contexts.get(request.raw);
    if (ctx) ctx.answered = true;
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return reply.code(413).send(shapes.payloadTooLarge());
    return reply.code(500).send(shapes.unavailable(500));
  });
}
