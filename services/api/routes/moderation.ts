import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';

/** Moderation actions under the two-admin rule, escalations and referrals. */
export const moderationRoutes: FastifyPluginAsyncZod = async (_app) => {};
