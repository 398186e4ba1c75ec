import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { connectOutcome, connectOutcomeCode } from '../../accounts/connect-outcome.js';

/** The message after the platform sends the person back from connecting an account. */
export const connectOutcomeRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/api/accounts/:accountId/connect-outcome',
    {
      schema: {
        tags: ['accounts'],
        summary:
          'What the connect callback meant, in plain words: which account signed in, which was expected, and what to do next',
        params: z.object({ accountId: z.uuid() }),
        querystring: z.object({ code: connectOutcomeCode }),
      },
    },
    async (request) =>
      connectOutcome(request.ctx, { accountId: request.params.accountId, code: request.query.code }),
  );
};
