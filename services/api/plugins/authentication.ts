import cookie from '@fastify/cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
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
    /** The verb context for the signed-in user; set by requireUser. */
    ctx: ServiceContext;
  }
  interface FastifyInstance {
    requireUser: (request: FastifyRequest, reply: FastifyReply) => Promise<void>;
  }
}

export const SAFE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);

function csrfFrom(request: FastifyRequest): string | undefined {
  const header = request.headers['x-csrf-token'];
  if (typeof header === 'string') return header;
  const body = request.body as { _csrf?: unknown } | undefined;
  return typeof body?._csrf === 'string' ? body._csrf : undefined;
}

/**
 * Resolves the session cookie to a principal on every request, and gives routes `requireUser`:
 * no session answers 401; a state-changing request without the session's CSRF token answers 403.
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

    app.decorate('requireUser', async (request: FastifyRequest) => {
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
    });
  },
  { name: 'authentication' },
);
