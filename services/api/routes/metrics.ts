import type { FastifyPluginAsync } from 'fastify';
import { QUEUE_NAMES } from '../../../workers/job-registry.js';
import { metrics, metricsRegistry } from '../../core/metrics.js';

const STATES = ['waiting', 'active', 'delayed', 'failed', 'completed'] as const;

/**
 * Prometheus metrics. Queue depths are read from Redis at scrape time; counters are this
 * process's own (with `npm start` that is the API and the workers together).
 */
export const metricsRoutes: FastifyPluginAsync = async (app) => {
  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
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
