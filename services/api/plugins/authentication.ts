import cookie from '@fastify/cookie';
import type { FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { principalSchoolIds } from '../../auth/load-principal.js';
import { resolveSession, SESSION_COOKIE } from '../../auth/session-store.js';
import type { Principal } from '../../core/principal.js';
import type { ServiceContext } from '../../core/service-context.js';
import { ServiceError } from '../../core/service-error.js';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
    sessionCsrfToken: string | null;
    /** The verb context for the signed-in user; set before the route's schema is checked. */
    ctx: ServiceContext;
  }
  interface FastifyContextConfig {
    /**
     * `false`: the route is open to signed-out callers (sign-in, health, static files) or guards
     * itself (the queue dashboard). Every other route needs a session.
     */
    signIn?: false;
  }
}

export const SAFE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);

function csrfFrom(request: FastifyRequest): string | undefined {
  const header = request.headers['x-csrf-token'];
  if (typeof header === 'string') return header;
  // Read before the route's schema runs: the form field is whatever the browser sent.
  const body: unknown = request.body;
  if (typeof body !== 'object' || body === null || !('_csrf' in body)) return undefined;
  return typeof body._csrf === 'string' ? body._csrf : undefined;
}

/**
 * Resolves the session cookie to a principal on every request, and checks it on every route
 * registered after this plugin unless the route says `config: { signIn: false }`: no session
 * answers 401 (a page or form: 303 to /login); a state-changing request without the session's
 * CSRF token answers 403. The check runs before the route's schema, so a signed-out caller learns
 * nothing of what a route expects.
 */
export const authenticationPlugin = fp(
  async (app) => {
    await app.register(cookie, { secret: app.config.sessionSecret });
    app.decorateRequest('principal', null);
    app.decorateRequest('sessionCsrfToken', null);
    app.decorateRequest('ctx', null as unknown as ServiceContext);

    app.addHook('onRequest', async (request) => {
      const value = request.cookies[SESSION_COOKIE];
      if (!value) return;
      // The probes must answer while Postgres is down (that is what /readyz reports): there a
      // session that cannot be read is no session.
      const probe = request.url === '/readyz' || request.url === '/healthz';
      const session = probe
        ? await resolveSession(app.db, value).catch(() => null)
        : await resolveSession(app.db, value);
      if (!session) return;
      request.principal = session.principal;
      request.sessionCsrfToken = session.csrfToken;
    });

    // Secure by default: a route added later needs a session unless it opts out.
    app.addHook('onRoute', (route) => {
      const own = route.preValidation ? [route.preValidation].flat() : [];
      route.preValidation = [requireSession, ...own];
    });

    // The opt-out is read when the request comes: a plugin may mark its routes after the hook.
    async function requireSession(request: FastifyRequest) {
      if (request.routeOptions.config.signIn === false) return;
      const principal = request.principal;
      if (!principal) throw new ServiceError('UNAUTHENTICATED', 'Sign in to continue');
      if (!SAFE_METHODS.has(request.method) && csrfFrom(request) !== request.sessionCsrfToken) {
        throw new ServiceError(
          'FORBIDDEN',
          'The form has expired or did not come from Hallmonitor; reload the page and try again',
        );
      }
      request.ctx = {
        actor: { type: 'user', id: principal.userId, label: principal.displayName },
        schoolIds: principalSchoolIds(principal),
        requestId: request.id,
        principal,
        db: app.db,
      };
    }
  },
  { name: 'authentication' },
);
