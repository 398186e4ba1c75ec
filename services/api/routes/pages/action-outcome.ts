import { z } from 'zod';
import { getAction } from '../../../moderation/get-action.js';
import { recordManualAction } from '../../../moderation/record-manual-action.js';
import { retryAction } from '../../../moderation/retry-action.js';
import { formBody, formField, pageRoutes, runForm } from '../../page-kit.js';

const actionParams = z.object({ id: z.uuid(), actionId: z.uuid() });
const commentPath = (id: string) => `/comments/${id}`;

/**
 * What follows an action's outcome on the comment page: try a failed one again, or record what was
 * done by hand in the platform's app (an approved manual action, or one the platform refused). The
 * account's admins only; each verb checks. `/actions/:id` (the notifications' link) opens the
 * comment at the action.
 */
export const actionOutcomePageRoutes = pageRoutes(async (app) => {
  const { actionDispatch: dispatch } = app.deps;

  app.get('/actions/:id', { schema: { params: z.object({ id: z.uuid() }) } }, async (request, reply) => {
    const { action } = await getAction(request.ctx, { actionId: request.params.id });
    return reply.redirect(
      action.commentId ? `${commentPath(action.commentId)}#action-${action.id}` : '/flags',
      303,
    );
  });

  app.post(
    '/comments/:id/actions/:actionId/retry',
    { schema: { params: actionParams, body: formBody({}) } },
    async (request, reply) =>
      runForm(reply, commentPath(request.params.id), async () => {
        await retryAction(request.ctx, { actionId: request.params.actionId }, dispatch);
        return 'Queued again: the platform will be asked shortly. This page shows the outcome.';
      }),
  );

  app.post(
    '/comments/:id/actions/:actionId/record',
    {
      schema: {
        params: actionParams,
        body: formBody({ evidenceUrl: formField.optionalText(2_000), note: formField.optionalText(2_000) }),
      },
    },
    async (request, reply) =>
      runForm(reply, commentPath(request.params.id), async () => {
        const { evidenceUrl, note } = request.body;
        const { action } = await recordManualAction(
          request.ctx,
          {
            actionId: request.params.actionId,
            ...(evidenceUrl ? { evidenceUrl } : {}),
            ...(note ? { note } : {}),
          },
          dispatch,
        );
        return `Recorded: the ${action.kind} done by hand is in the audit log.`;
      }),
  );
});
