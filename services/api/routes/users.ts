import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';

/** People and roles per school (trust admins). */
export const userRoutes: FastifyPluginAsyncZod = async (_app) => {};
