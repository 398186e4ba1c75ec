import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';

/** Triage: responses, assignment, deadline reports and the school calendar. */
export const commentRoutes: FastifyPluginAsyncZod = async (_app) => {};
