import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';

/** Official account governance (P4, P5): propose, approve, connect, activate, review. */
export const accountRoutes: FastifyPluginAsyncZod = async (_app) => {};
