import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { listEscalationQueue } from '../../moderation/list-escalation-queue.js';
import { raiseConcern, raiseConcernInput } from '../../moderation/raise-concern.js';
import { resolveEscalation } from '../../moderation/resolve-escalation.js';

const commentParams = z.object({ id: z.uuid() });
const escalationParams = z.object({ id: z.uuid() });
const tags = ['escalations'];

/** Concerns raised by any member of staff, and the senior leaders' escalations queue (P6–P8). */
export const escalationRoutes: FastifyPluginAsyncZod = async (app) => {
  app.post(
    '/api/comments/:id/concerns',
    {
      schema: {
        tags,
        summary:
          'Any member of staff raises a safeguarding concern (to the safeguarding leads) or reports misuse (to senior leaders)',
        params: commentParams,
        body: raiseConcernInput.omit({ commentId: true }),
      },
    },
    async (request, reply) =>
      reply
        .code(201)
        .send(await raiseConcern(request.ctx, { ...request.body, commentId: request.params.id })),
  );

  app.get(
    '/api/escalations',
    {
      schema: {
        tags,
        summary:
          'The escalations queue: senior-leader, police, platform-report and media escalations, most severe first (senior leaders; auditors read-only)',
      },
    },
    async (request) => listEscalationQueue(request.ctx),
  );

  app.post(
    '/api/escalations/:id/acknowledge',
    {
      schema: {
        tags,
        summary: 'Acknowledge an escalation: "I have it" (a note is optional)',
        params: escalationParams,
        body: z.object({ note: z.string().trim().max(4_000).optional() }).default({}),
      },
    },
    async (request) =>
      resolveEscalation(request.ctx, {
        escalationId: request.params.id,
        outcome: 'acknowledge',
        ...(request.body.note ? { note: request.body.note } : {}),
      }),
  );

  app.post(
    '/api/escalations/:id/close',
    {
      schema: {
        tags,
        summary: 'Close an escalation with a note of what was done',
        params: escalationParams,
        body: z.object({
          note: z
            .string({ error: 'write a note saying what was done' })
            .trim()
            .min(1, 'write a note saying what was done')
            .max(4_000),
          /** P7: close a possibly illegal case without a police referral (the note says why). */
          notReferred: z.boolean().optional(),
        }),
      },
    },
    async (request) =>
      resolveEscalation(request.ctx, {
        escalationId: request.params.id,
        outcome: 'close',
        note: request.body.note,
        ...(request.body.notReferred !== undefined ? { notReferred: request.body.notReferred } : {}),
      }),
  );
};
