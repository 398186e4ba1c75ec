import { timingSafeEqual } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import { QUEUE_NAMES } from '../../../workers/job-registry.js';
import { metrics, metricsRegistry } from '../../core/metrics.js';
import { ServiceError } from '../../core/service-error.js';

const STATES = ['waiting', 'active', 'delayed', 'failed', 'completed'] as const;

/**
 * Prometheus metrics. Queue depths are read from Redis at scrape time; counters are this
 * process's own (with `npm start` that is the API and the workers together). With METRICS_TOKEN
 * set, a scrape must send it as a bearer token.
 */
export const metricsRoutes: FastifyPluginAsync = async (app) => {
  const expected = app.config.metricsToken ? Buffer.from(`Bearer ${app.config.metricsToken}`) : null;
  app.get('/metrics', { schema: { hide: true }, config: { signIn: false } }, async (request, reply) => {
    if (expected) {
      const given = Buffer.from(request.headers.authorization ?? '');
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        reply.header('www-authenticate', 'Bearer realm="metrics"');
        throw new ServiceError(
          'UNAUTHENTICATED',
          'Send the metrics token as "Authorization: Bearer <METRICS_TOKEN>"',
        );
      }
    }
    await Promise.all(
      QUEUE_NAMES.map(async (name) => {
        try {
          const counts = await app.queues[name].getJobCounts(...STATES);
          for (const state of STATES) metrics.queueDepth.set({ queue: name, state }, counts[state] ?? 0);
        } catch {
          // Redis down: the depths are unknown, the rest of the metrics still serve.
        }
      }),
    );
    reply.header('content-type', metricsRegistry.contentType);
    return metricsRegistry.metrics();
  });
};
