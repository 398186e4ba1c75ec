import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { destroySession, SESSION_COOKIE } from '../../auth/session-store.js';

export const authRoutes: FastifyPluginAsyncZod = async (app) => {
  app.post(
    '/auth/sign-out',
    {
      schema: {
        tags: ['auth'],
        summary: 'End the current session',
        body: z.object({ _csrf: z.string().optional() }).optional(),
        response: { 200: z.object({ signedOut: z.boolean() }) },
      },
      preHandler: app.requireUser,
    },
    async (request, reply) => {
      const value = request.cookies[SESSION_COOKIE];
      if (value) await destroySession(app.db, value);
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return { signedOut: true };
    },
  );
};
