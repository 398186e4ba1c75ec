import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { approveResponse, approveResponseInput } from '../../comments/approve-response.js';
import { listPendingResponses } from '../../comments/list-pending-responses.js';
import { rejectResponse, rejectResponseInput } from '../../comments/reject-response.js';
import { removeReply, removeReplyInput } from '../../comments/remove-reply.js';
import { createAdapterFactory } from '../../platforms/create-adapter-factory.js';

const responseParams = z.object({ id: z.uuid() });

/** Senior leaders' approval of sensitive replies (P6, P10). */
export const responseRoutes: FastifyPluginAsyncZod = async (app) => {
  const effects = app.deps.commentEffects;

  app.get(
    '/api/responses/pending',
    {
      schema: { tags: ['comments'], querystring: z.object({ schoolId: z.uuid().optional() }) },
    },
    async (request) =>
      listPendingResponses(request.ctx, request.query.schoolId ? { schoolId: request.query.schoolId } : {}),
  );

  app.post(
    '/api/responses/:id/approve',
    {
      schema: { tags: ['comments'], params: responseParams, body: approveResponseInput.optional() },
    },
    async (request) => approveResponse(request.ctx, request.params.id, request.body ?? {}, effects),
  );

  app.post(
    '/api/responses/:id/reject',
    {
      schema: { tags: ['comments'], params: responseParams, body: rejectResponseInput },
    },
    async (request) => rejectResponse(request.ctx, request.params.id, request.body),
  );

  const platform = { encryptionKey: app.config.encryptionKey, adapterFor: createAdapterFactory(app.config) };
  app.post(
    '/api/responses/:id/remove',
    {
      schema: {
        tags: ['comments'],
        summary: 'Take a reply sent in error off the platform, with the reason (audited)',
        params: responseParams,
        body: removeReplyInput,
      },
    },
    async (request) => removeReply(request.ctx, request.params.id, request.body, platform),
  );
};
