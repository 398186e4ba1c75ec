import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { getExternalClassification } from '../../classification/describe-external-tiers.js';
import {
  setExternalClassification,
  setExternalClassificationInput,
} from '../../classification/set-external-classification.js';

const tierView = z.object({
  tier: z.enum(['moderation', 'guard']),
  title: z.string(),
  configured: z.boolean(),
  host: z.string().nullable(),
  model: z.string().nullable(),
  on: z.boolean(),
  onForOtherHost: z.string().nullable(),
  changedAt: z.string().nullable(),
});

/**
 * Where a trust's comment text may go besides the local classifier (trust admins): a moderation
 * endpoint, a self-hosted guard model. Off unless turned on; each change audited.
 */
export const externalClassificationRoutes: FastifyPluginAsyncZod = async (app) => {
  const tags = ['users'];
  app.get(
    '/api/trust/external-classification',
    {
      schema: {
        tags,
        summary:
          'Outside classification tiers this installation offers, where each sends text, and whether your trust has them on',
        response: { 200: z.object({ tiers: z.array(tierView) }) },
      },
    },
    async (request) => ({ tiers: await getExternalClassification(request.ctx, app.deps.externalTiers) }),
  );
  app.put(
    '/api/trust/external-classification',
    {
      schema: {
        tags,
        summary:
          'Turn an outside classification tier on or off for your trust (comment text is sent to its host)',
        body: setExternalClassificationInput,
        response: { 200: z.object({ tiers: z.array(tierView) }) },
      },
    },
    async (request) => ({
      tiers: await setExternalClassification(request.ctx, request.body, app.deps.externalTiers),
    }),
  );
};
