import { z } from 'zod';
import { ServiceError } from '../../../core/service-error.js';
import { escalateParentRequest, listParentRequests } from '../../../moderation/parent-requests.js';
import { ParentRequestsPage } from '../../../web/pages/parent-requests-page.js';
import { formBody, formField, pageRoutes, refusalText, renderPage, setFlash } from '../../page-kit.js';

/** P9: the tracking list of parents asked to remove a comment, and its escalate form. */
export const parentRequestsPageRoutes = pageRoutes(async (app) => {
  app.get('/parent-requests', async (request, reply) =>
    renderPage(request, reply, async (base) =>
      ParentRequestsPage({ ...base, items: await listParentRequests(request.ctx), now: new Date() }),
    ),
  );

  app.post(
    '/parent-requests/:id/escalate',
    {
      schema: {
        params: z.object({ id: z.uuid() }),
        body: formBody({ reason: formField.text(4_000) }),
      },
    },
    async (request, reply) => {
      try {
        await escalateParentRequest(request.ctx, request.params.id, { reason: request.body.reason });
      } catch (error) {
        if (error instanceof ServiceError && error.code === 'INVALID_INPUT') {
          setFlash(reply, { kind: 'error', text: error.message });
          return reply.redirect('/parent-requests', 303);
        }
        // Someone else escalated it, or the comment went, a moment ago: said on the page, not a 409 page.
        if (
          error instanceof ServiceError &&
          (error.code === 'CONFLICT' || error.code === 'PRECONDITION_FAILED')
        ) {
          setFlash(reply, { kind: 'error', text: refusalText(error.message) });
          return reply.redirect('/parent-requests', 303);
        }
        throw error;
      }
      setFlash(reply, {
        kind: 'ok',
        text: 'Escalated: the senior leaders have it in their escalations queue.',
      });
      return reply.redirect('/parent-requests', 303);
    },
  );
});
