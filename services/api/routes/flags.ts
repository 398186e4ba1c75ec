import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { listFlags } from '../../moderation/list-flags.js';

/** The admins' flags as JSON: the same lists, in the same order, as the Flags page. */
export const flagRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/api/flags',
    {
      schema: {
        tags: ['moderation'],
        summary:
          'Flags for the accounts you administer: proposals you can confirm first, then offensive comments most severe first, then recent actions',
      },
    },
    async (request) => listFlags(request.ctx),
  );
};
