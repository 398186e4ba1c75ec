import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { availableActions } from '../../moderation/available-actions.js';
import { confirmAction, confirmActionInput } from '../../moderation/confirm-action.js';
import { escalateComment, escalateCommentInput } from '../../moderation/escalate-comment.js';
import { getAction } from '../../moderation/get-action.js';
import { recordManualAction, recordManualActionInput } from '../../moderation/record-manual-action.js';
import { rejectAction, rejectActionInput } from '../../moderation/reject-action.js';
import { takeAction, takeActionInput } from '../../moderation/take-action.js';

const commentParams = z.object({ id: z.uuid() });
const actionParams = z.object({ id: z.uuid() });
const tags = ['moderation'];

/** Moderation actions under the two-admin rule, escalations and referrals (P3, P4, P7). */
export const moderationRoutes: FastifyPluginAsyncZod = async (app) => {
  const dispatch = app.deps.actionDispatch;

  app.get(
    '/api/comments/:id/actions/available',
    {
      schema: {
        tags,
        summary: 'What can be done about a comment: on the platform, or by hand',
        params: commentParams,
      },
    },
    async (request) => availableActions(request.ctx, { commentId: request.params.id }),
  );

  app.post(
    '/api/comments/:id/actions',
    {
      schema: {
        tags,
        summary:
          'Take an action (hide, mute…) or propose one that needs the second admin (delete, block, report)',
        params: commentParams,
        body: takeActionInput.omit({ commentId: true }),
      },
    },
    async (request, reply) => {
      const result = await takeAction(
        request.ctx,
        { ...request.body, commentId: request.params.id },
        dispatch,
        app.classifiers,
      );
      return reply.code(result.needsConfirmation ? 202 : 201).send(result);
    },
  );

  app.post(
    '/api/actions/:id/confirm',
    {
      schema: {
        tags,
        summary: "Confirm another admin's proposal (or, as a senior leader, break glass with a reason)",
        params: actionParams,
        body: confirmActionInput.omit({ actionId: true }).default({}),
      },
    },
    async (request) => confirmAction(request.ctx, { ...request.body, actionId: request.params.id }, dispatch),
  );

  app.post(
    '/api/actions/:id/reject',
    {
      schema: {
        tags,
        summary: 'Reject or withdraw a proposal',
        params: actionParams,
        body: rejectActionInput.omit({ actionId: true }),
      },
    },
    async (request) => rejectAction(request.ctx, { ...request.body, actionId: request.params.id }),
  );

  app.post(
    '/api/actions/:id/record',
    {
      schema: {
        tags,
        summary: "Record a manual action done in the platform's own app, with an optional evidence link",
        params: actionParams,
        body: recordManualActionInput.omit({ actionId: true }).default({}),
      },
    },
    async (request) =>
      recordManualAction(request.ctx, { ...request.body, actionId: request.params.id }, dispatch),
  );

  app.post(
    '/api/comments/:id/escalations',
    {
      schema: {
        tags,
        summary: 'Escalate to a senior leader, or record a referral to the police or the platform',
        params: commentParams,
        body: escalateCommentInput.omit({ commentId: true }),
      },
    },
    async (request, reply) =>
      reply
        .code(201)
        .send(await escalateComment(request.ctx, { ...request.body, commentId: request.params.id })),
  );

  app.get(
    '/api/actions/:id',
    { schema: { tags, summary: 'One moderation action', params: actionParams } },
    async (request) => getAction(request.ctx, { actionId: request.params.id }),
  );
};
