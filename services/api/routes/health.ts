import { sql } from 'drizzle-orm';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';

const withTimeout = <T>(promise: Promise<T>, ms: number, what: string) =>
  Promise.race([
    promise,
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`${what} did not answer in ${ms} ms`)), ms).unref(),
    ),
  ]);

export const healthRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/healthz',
    {
      schema: {
        tags: ['operations'],
        summary: 'The process is alive',
        response: { 200: z.object({ status: z.literal('ok') }) },
      },
    },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/readyz',
    {
      schema: {
        tags: ['operations'],
        summary: 'PostgreSQL and Redis are reachable; 503 names what is down',
        response: {
          200: z.object({ status: z.literal('ready'), checks: z.record(z.string(), z.string()) }),
          503: z.object({
            status: z.literal('unavailable'),
            message: z.string(),
            checks: z.record(z.string(), z.string()),
          }),
        },
      },
    },
    async (_request, reply) => {
      const checks: Record<string, string> = {};
      const down: string[] = [];
      await Promise.all([
        withTimeout(app.db.execute(sql`select 1`), 2_000, 'PostgreSQL')
          .then(() => {
            checks.postgres = 'ok';
          })
          .catch((error: Error) => {
            checks.postgres = error.message;
            down.push('PostgreSQL');
          }),
        withTimeout(app.redis.ping(), 2_000, 'Redis')
          .then(() => {
            checks.redis = 'ok';
          })
          .catch((error: Error) => {
            checks.redis = error.message;
            down.push('Redis');
          }),
      ]);
      if (down.length) {
        return reply
          .status(503)
          .send({ status: 'unavailable' as const, message: `${down.join(' and ')} unreachable`, checks });
      }
      return { status: 'ready' as const, checks };
    },
  );
};
