import type { AddressInfo } from 'node:net';
import { type BlueskySandbox, blueskyAdmin } from './bluesky/admin.js';
import { blueskyApi, blueskyRateLimits } from './bluesky/api-routes.js';
import { BlueskyState } from './bluesky/state.js';
import { coreAdmin } from './core/admin.js';
import { SandboxFaults } from './core/faults.js';
import { createSandboxHttp } from './core/http.js';
import { type RateLimitWindow, SandboxRateLimits } from './core/rate-limits.js';
import { RequestLog } from './core/request-log.js';
import { type MetaSandbox, metaAdmin } from './meta/admin.js';
import { MetaFaults, metaApi } from './meta/api-routes.js';
import { dialog } from './meta/oauth.js';
import { DEFAULT_APP, MetaState } from './meta/state.js';
import { MetaUsage, type MetaUsageLimits } from './meta/usage.js';
import { MetaWebhooks } from './meta/webhooks.js';
import { xAdmin } from './x/admin.js';
import { xApi } from './x/api-routes.js';
import { authorize } from './x/oauth.js';
import { X_RATE_LIMITS } from './x/rate-limits.js';
import { problems } from './x/responses.js';
import { SandboxState } from './x/state.js';

// The sandbox platforms as one real HTTP server (Fastify): X API v2 and the Meta Graph API
// (Facebook Pages and Instagram) and Bluesky's XRPC, each for the subset Hallmonitor uses. Tests, `npm run demo` and `npm run bench` point the real platform clients at
// it. It lives outside the product: nothing under services/ or workers/ imports it, and neither
// the production build nor the Docker image contains it.

/** a Graph API version path segment: v21.0, v19.0 … */
const GRAPH_VERSION = '^v\\d{1,2}\\.\\d$';

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
  /** the Meta Graph sandbox: its app (default DEFAULT_APP) and usage limits */
  meta?: { app?: { id: string; secret: string; name?: string }; usage?: Partial<MetaUsageLimits> };
  /** the Bluesky sandbox: rate-limit windows ('global', 'createSession', 'write'), token lifetime, threadgate limit */
  bluesky?: {
    rateLimits?: Partial<Record<string, RateLimitWindow>>;
    accessTtlSeconds?: number;
    hiddenRepliesLimit?: number;
  };
}

export interface Sandbox {
  url: string;
  /** the X platform's state */
  state: SandboxState;
  faults: SandboxFaults;
  rateLimits: SandboxRateLimits;
  /** the Meta Graph platform: `${url}/v21.0` is its graph.facebook.com */
  meta: MetaSandbox & { graphUrl: string };
  /** Bluesky (a PDS with its AppView): `serviceUrl` is its https://bsky.social */
  bluesky: BlueskySandbox & { serviceUrl: string };
  close(): Promise<void>;
}

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const now = options.now ?? Date.now;
  const log = new RequestLog();
  const state = new SandboxState({ tokenTtlSeconds: options.tokenTtlSeconds ?? 7200, now, requestLog: log });
  const faults = new SandboxFaults();
  const rateLimits = new SandboxRateLimits(X_RATE_LIMITS, options.rateLimits ?? {}, now);
  const metaState = new MetaState({ now, requestLog: log, app: options.meta?.app ?? DEFAULT_APP });
  const meta: MetaSandbox = {
    state: metaState,
    webhooks: new MetaWebhooks(metaState),
    usage: new MetaUsage(options.meta?.usage ?? {}, now),
    faults: new MetaFaults(),
  };
  const bluesky: BlueskySandbox = {
    state: new BlueskyState({
      now,
      requestLog: log,
      ...(options.bluesky?.accessTtlSeconds ? { accessTtlSeconds: options.bluesky.accessTtlSeconds } : {}),
      ...(options.bluesky?.hiddenRepliesLimit
        ? { hiddenRepliesLimit: options.bluesky.hiddenRepliesLimit }
        : {}),
    }),
    rateLimits: blueskyRateLimits(options.bluesky?.rateLimits ?? {}, now),
  };

  const app = createSandboxHttp();
  // Anything no platform claims answers as X does for an unknown route.
  app.setNotFoundHandler(async (_request, reply) => reply.code(404).send(problems.routeNotFound().body));

  await app.register(
    async (admin) => {
      admin.setNotFoundHandler(async (_request, reply) =>
        reply.code(404).send({ error: 'no such sandbox route' }),
      );
      await admin.register(coreAdmin, { faults, rateLimits, log });
      await admin.register(xAdmin, { state });
      await admin.register(metaAdmin, { ...meta, prefix: '/meta' });
      await admin.register(blueskyAdmin, { ...bluesky, prefix: '/bluesky' });
    },
    { prefix: '/sandbox' },
  );

  // X: the consent page on x.com, the API (and its token endpoint) on api.x.com.
  app.get('/i/oauth2/authorize', async (request, reply) => {
    const url = new URL(request.url, 'http://sandbox.invalid');
    const answer = authorize(state, url.searchParams, url.pathname);
    reply.code(answer.status);
    if (answer.headers) reply.headers(answer.headers);
    if (answer.contentType) reply.type(answer.contentType);
    return reply.send(answer.body);
  });
  await app.register(xApi, {
    prefix: '/2',
    state,
    faults,
    rateLimits,
    enterprise: options.enterprise ?? false,
    mentionReach: options.mentionReach ?? 800,
    now,
  });

  // Meta: the Login dialog on www.facebook.com, the Graph API on graph.facebook.com, any version.
  app.get(`/:version(${GRAPH_VERSION})/dialog/oauth`, async (request, reply) => {
    const url = new URL(request.url, 'http://sandbox.invalid');
    const answer = dialog(metaState, url.searchParams, url.pathname);
    reply.code(answer.status);
    if (answer.headers) reply.headers(answer.headers);
    if (answer.contentType) reply.type(answer.contentType);
    return reply.send(answer.body);
  });
  await app.register(metaApi, {
    prefix: `/:version(${GRAPH_VERSION})`,
    state: metaState,
    faults,
    metaFaults: meta.faults,
    usage: meta.usage,
    now,
  });

  // Bluesky: XRPC on the PDS (bsky.social), the AppView's methods answered by the same host.
  await app.register(blueskyApi, {
    prefix: '/xrpc',
    state: bluesky.state,
    faults,
    rateLimits: bluesky.rateLimits,
    now,
  });

  await app.listen({ port: options.port ?? 0, host: options.host ?? '127.0.0.1' });
  const address = app.server.address() as AddressInfo;
  const url = `http://${address.address}:${address.port}`;
  // Fastify's first answer is slow while its request path compiles; pay that here, not in a test's window.
  const warmUp = await fetch(`${url}/sandbox/rate-limits/reset`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{}',
  });
  await warmUp.text();
  return {
    url,
    state,
    faults,
    rateLimits,
    meta: { ...meta, graphUrl: `${url}/v21.0` },
    bluesky: { ...bluesky, serviceUrl: url },
    close: () => app.close(),
  };
}
