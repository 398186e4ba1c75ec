import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { createSavedReply } from '../../comments/create-saved-reply.js';
import { deleteSavedReply } from '../../comments/delete-saved-reply.js';
import { listSavedReplies } from '../../comments/list-saved-replies.js';
import { savedReplyInputSchema } from '../../comments/saved-reply-rules.js';
import { updateSavedReply } from '../../comments/update-saved-reply.js';

const schoolParams = z.object({ schoolId: z.uuid() });
const replyParams = z.object({ id: z.uuid() });

/** A school's saved replies: read by its staff, edited by comms and senior leaders. */
export const savedReplyRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/api/schools/:schoolId/saved-replies',
    { schema: { tags: ['comments'], summary: "The school's saved replies, by title", params: schoolParams } },
    async (request) => ({ items: await listSavedReplies(request.ctx, request.params.schoolId) }),
  );
  app.post(
    '/api/schools/:schoolId/saved-replies',
    {
      schema: {
        tags: ['comments'],
        summary: 'Add a saved reply (comms, senior leaders)',
        params: schoolParams,
        body: savedReplyInputSchema,
      },
    },
    async (request, reply) =>
      reply.status(201).send(await createSavedReply(request.ctx, request.params.schoolId, request.body)),
  );
  app.put(
    '/api/saved-replies/:id',
    {
      schema: {
        tags: ['comments'],
        summary: 'Rewrite a saved reply (comms, senior leaders)',
        params: replyParams,
        body: savedReplyInputSchema,
      },
    },
    async (request) => updateSavedReply(request.ctx, request.params.id, request.body),
  );
  app.delete(
    '/api/saved-replies/:id',
    {
      schema: {
        tags: ['comments'],
        summary: 'Delete a saved reply (comms, senior leaders)',
        params: replyParams,
      },
    },
    async (request) => deleteSavedReply(request.ctx, request.params.id),
  );
};
