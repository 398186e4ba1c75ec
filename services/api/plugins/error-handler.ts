import type { FastifyError, FastifyInstance } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { ServiceError, type ServiceErrorCode } from '../../core/service-error.js';

const STATUS: Record<ServiceErrorCode, number> = {
  INVALID_INPUT: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PRECONDITION_FAILED: 422,
  RATE_LIMITED: 429,
  UPSTREAM_UNAVAILABLE: 503,
};

/** Is this a Redis or BullMQ refusal because Redis is down (offline queue disabled)? */
function isRedisUnavailable(error: unknown): boolean {
  const message = (error as Error)?.message ?? '';
  return /Stream isn't writeable|enableOfflineQueue|Connection is closed|ECONNREFUSED.*6379/.test(message);
}

/**
 * One mapping from domain errors to HTTP. Every answer is `{ error, message }`; a 5xx never
 * carries its internal message to the client.
 */
export function registerErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | ServiceError | Error, request, reply) => {
    if (error instanceof ServiceError) {
      const status = STATUS[error.code];
      if (status >= 500) request.log.warn({ err: error }, 'service unavailable');
      return reply
        .status(status)
        .send({ error: error.code, message: error.message, ...(error.details ?? {}) });
    }
    if (hasZodFastifySchemaValidationErrors(error)) {
      const problems = error.validation.map((v) => {
        const where = v.instancePath
          ? `${error.validationContext ?? 'body'}${v.instancePath.replaceAll('/', '.')}`
          : (error.validationContext ?? 'body');
        return `${where}: ${v.message}`;
      });
      return reply.status(400).send({ error: 'INVALID_INPUT', message: problems.join('; '), problems });
    }
    if (isRedisUnavailable(error)) {
      request.log.warn({ err: error }, 'queue unavailable');
      return reply.status(503).send({
        error: 'UPSTREAM_UNAVAILABLE',
        message: 'The job queue (Redis) is unavailable; try again shortly',
      });
    }
    const fastifyError = error as FastifyError;
    const status = fastifyError.statusCode ?? 500;
    if (status < 500) {
      // Malformed JSON, body too large, unsupported media type: the framework's message is safe.
      request.log.info({ code: fastifyError.code, status }, fastifyError.message);
      return reply
        .status(status)
        .send({ error: fastifyError.code ?? 'BAD_REQUEST', message: fastifyError.message });
    }
    request.log.error({ err: error }, 'unhandled error');
    return reply.status(500).send({ error: 'INTERNAL', message: 'Something went wrong; it has been logged' });
  });

  app.setNotFoundHandler((request, reply) => {
    reply
      .status(404)
      .send({ error: 'NOT_FOUND', message: `No route for ${request.method} ${request.url.split('?')[0]}` });
  });
}
