import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { ZodError } from 'zod';
import { emitAudit } from '../../audit/emit-audit.js';
import { ServiceError, type ServiceErrorCode } from '../../core/service-error.js';
import { ErrorPage } from '../../web/pages/error-page.js';
import { isJsonPath } from '../page-kit.js';

/** The HTTP status each verb refusal answers with, for the JSON API and the pages alike. */
export const STATUS_OF_ERROR: Record<ServiceErrorCode, number> = {
  INVALID_INPUT: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PRECONDITION_FAILED: 422,
  RATE_LIMITED: 429,
  UPSTREAM_UNAVAILABLE: 503,
};

/**
 * A route declared `answers: 'html'` (a staff screen), or a form a browser posted to an API route
 * (the sign-in and sign-out forms post to /auth/): a person reads the answer. An address with no
 * route is a page unless it is under an API prefix.
 */
function answersHtml(request: FastifyRequest): boolean {
  const type = request.headers['content-type'] ?? '';
  return declaredHtml(request) || type.startsWith('application/x-www-form-urlencoded');
}

function declaredHtml(request: FastifyRequest): boolean {
  const declared = request.routeOptions.config?.answers;
  if (declared) return declared === 'html';
  if (isJsonPath(request.url)) return false;
  // An address with no route: a browser (it asks for HTML) gets the page, a program gets JSON.
  if (!request.routeOptions.url) return (request.headers.accept ?? '').includes('text/html');
  return true;
}

/** Is this a Redis or BullMQ refusal because Redis is down (offline queue disabled)? */
function isRedisUnavailable(error: unknown): boolean {
  const message = (error as Error)?.message ?? '';
  return /Stream isn't writeable|enableOfflineQueue|Connection is closed|ECONNREFUSED.*6379/.test(message);
}

/**
 * A refusal of a signed-in person is audited (who tried what). Written in its own transaction and
 * never allowed to break the answer: a failed audit write is logged, the 403 still goes out.
 */
export async function auditRefusal(
  app: FastifyInstance,
  request: FastifyRequest,
  message: string,
): Promise<void> {
  const principal = request.principal;
  if (!principal) return;
  const route = request.routeOptions.url ?? request.url.split('?')[0] ?? request.url;
  try {
    await app.db.transaction((tx) =>
      emitAudit(
        tx,
        {
          actor: { type: 'user', id: principal.userId, label: principal.displayName },
          requestId: request.id,
        },
        {
          action: 'request.refused',
          schoolId: null,
          subject: { type: 'request', id: null, label: `${request.method} ${route}` },
          details: { method: request.method, path: request.url.split('?')[0], message },
        },
      ),
    );
  } catch (auditError) {
    request.log.error({ err: auditError }, 'could not audit a refused request');
  }
}

/** An error as the caller is told it: one shape for JSON and the staff pages alike. */
export interface Answer {
  status: number;
  error: string;
  message: string;
  extra?: Record<string, unknown>;
}

function problemsOf(error: unknown): string[] | null {
  if (hasZodFastifySchemaValidationErrors(error)) {
    return error.validation.map((v) => {
      const where = v.instancePath
        ? `${error.validationContext ?? 'body'}${v.instancePath.replaceAll('/', '.')}`
        : (error.validationContext ?? 'body');
      return `${where}: ${v.message}`;
    });
  }
  // A verb's own input check (beyond the route's schema): the caller's mistake, not ours.
  if (error instanceof ZodError) {
    return error.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message));
  }
  return null;
}

/**
 * One mapping from domain errors to HTTP. An API call answers `{ error, message }`; a staff page or
 * a browser's form post answers the error page with the same status and message (a page whose
 * session has gone: 303 to /login). A 5xx never carries its internal message to the client.
 */
export async function answerError(request: FastifyRequest, reply: FastifyReply, answer: Answer) {
  if (!answersHtml(request)) {
    return reply
      .status(answer.status)
      .send({ error: answer.error, message: answer.message, ...(answer.extra ?? {}) });
  }
  // The page keeps the navigation and bell for a signed-in person, unless that too fails.
  const chrome = request.principal ? await request.server.pageChrome(request).catch(() => ({})) : {};
  // A refusal that says where to go next (the policy to acknowledge, P5) links there; own paths only.
  const link = answer.extra?.link;
  const next = typeof link === 'string' && /^\/[^/\\]/.test(link) ? { link } : {};
  return reply.html(
    ErrorPage({ status: answer.status, message: answer.message, ...next, ...chrome }),
    answer.status,
  );
}

export function registerErrorHandler(app: FastifyInstance): void {
  const send = answerError;
  // Every route declares how it answers: a screen's routes say so themselves (pageRoutes), the
  // rest answer as their path says (API prefixes JSON, the rest HTML).
  app.addHook('onRoute', (route) => {
    if (route.config?.answers) return;
    route.config = { ...route.config, answers: isJsonPath(route.url) ? 'json' : 'html' };
  });

  app.setErrorHandler(async (error: FastifyError | ServiceError | Error, request, reply) => {
    if (error instanceof ServiceError) {
      // A staff page or form post whose session has gone: back to sign-in, as every page does.
      if (error.code === 'UNAUTHENTICATED' && declaredHtml(request)) return reply.redirect('/login', 303);
      const status = STATUS_OF_ERROR[error.code];
      if (status >= 500) request.log.warn({ err: error }, 'service unavailable');
      if (error.code === 'FORBIDDEN') await auditRefusal(app, request, error.message);
      return send(request, reply, {
        status,
        error: error.code,
        message: error.message,
        ...(error.details ? { extra: error.details } : {}),
      });
    }
    const problems = problemsOf(error);
    if (problems) {
      return send(request, reply, {
        status: 400,
        error: 'INVALID_INPUT',
        message: problems.join('; '),
        extra: { problems },
      });
    }
    if (isRedisUnavailable(error)) {
      request.log.warn({ err: error }, 'queue unavailable');
      return send(request, reply, {
        status: 503,
        error: 'UPSTREAM_UNAVAILABLE',
        message: 'The job queue (Redis) is unavailable; try again shortly',
      });
    }
    const fastifyError = error as FastifyError;
    const status = fastifyError.statusCode ?? 500;
    if (status < 500) {
      // Malformed JSON, body too large, unsupported media type: the framework's message is safe.
      request.log.info({ code: fastifyError.code, status }, fastifyError.message);
      return send(request, reply, {
        status,
        error: fastifyError.code ?? 'BAD_REQUEST',
        message: fastifyError.message,
      });
    }
    request.log.error({ err: error }, 'unhandled error');
    return send(request, reply, {
      status: 500,
      error: 'INTERNAL',
      message: 'Something went wrong; it has been logged',
    });
  });

  // An unknown address: the styled 404 page under the staff pages, JSON under the API.
  app.setNotFoundHandler((request, reply) =>
    send(request, reply, {
      status: 404,
      error: 'NOT_FOUND',
      message: answersHtml(request)
        ? 'There is no page at this address. It may have moved, or the link may be mistyped.'
        : `No route for ${request.method} ${request.url.split('?')[0]}`,
    }),
  );
}
