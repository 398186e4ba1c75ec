import { sql } from 'drizzle-orm';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { platformsOff } from '../../../config/load-config.js';
import { hasRoleAnywhere } from '../../core/principal.js';

const withTimeout = <T>(promise: Promise<T>, ms: number, what: string) =>
  Promise.race([
    promise,
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`${what} did not answer in ${ms} ms`)), ms).unref(),
    ),
  ]);

/**
 * Settings whose absence leaves part of the product off without stopping it: ready, but an
 * operator's probe or dashboard should say so.
 */
function configurationWarnings(config: FastifyInstance['config']): string[] {
  const warnings: string[] = [];
  if (!config.auditSigningKey)
    warnings.push('AUDIT_SIGNING_KEY is not set and no key file is in use: audit checkpoints are not signed');
  else if (config.auditSigningKeySource === 'file')
    warnings.push(
      `AUDIT_SIGNING_KEY is not set: audit checkpoints are signed with the key kept in ${config.auditSigningKeyFile}; back that file up (without it, later checkpoints are signed with a new key and verify reports the earlier ones as forged)`,
    );
  if (!config.notifications.smtpUrl)
    warnings.push('SMTP_URL is not set: notification email is off (in-app and webhooks still work)');
  for (const off of platformsOff(config)) warnings.push(off.message);
  if (!config.metricsToken)
    warnings.push('METRICS_TOKEN is not set: /metrics answers anyone who can reach it');
  return warnings;
}

/**
 * The warnings say where an installation is weak (open /metrics, unsigned checkpoints), so only a
 * signed-in trust admin sees them; a load balancer's probe gets the bare answer.
 */
function warningsFor(request: FastifyRequest, warnings: string[]): { warnings?: string[] } {
  return request.principal && hasRoleAnywhere(request.principal, ['trust_admin']) ? { warnings } : {};
}

export const healthRoutes: FastifyPluginAsyncZod = async (app) => {
  const warnings = configurationWarnings(app.config);
  app.get(
    '/healthz',
    {
      config: { signIn: false },
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
      config: { signIn: false },
      schema: {
        tags: ['operations'],
        summary: 'PostgreSQL and Redis are reachable; 503 names what is down',
        description:
          'For a signed-in trust admin, `warnings` lists settings left unset that turn part of the product off (unsigned audit checkpoints, no email, a platform with no configuration, open metrics); they do not make the service unready.',
        response: {
          200: z.object({
            status: z.literal('ready'),
            checks: z.record(z.string(), z.string()),
            warnings: z.array(z.string()).optional(),
          }),
          503: z.object({
            status: z.literal('unavailable'),
            message: z.string(),
            checks: z.record(z.string(), z.string()),
            warnings: z.array(z.string()).optional(),
          }),
        },
      },
    },
    async (request, reply) => {
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
        return reply.status(503).send({
          status: 'unavailable' as const,
          message: `${down.join(' and ')} unreachable`,
          checks,
          ...warningsFor(request, warnings),
        });
      }
      return { status: 'ready' as const, checks, ...warningsFor(request, warnings) };
    },
  );
};
