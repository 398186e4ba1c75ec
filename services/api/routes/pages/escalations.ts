import { z } from 'zod';
import { listEscalationQueue } from '../../../moderation/list-escalation-queue.js';
import { resolveEscalation } from '../../../moderation/resolve-escalation.js';
import { EscalationsPage } from '../../../web/pages/escalations-page.js';
import { formBody, formField, pageRoutes, renderPage, runForm } from '../../page-kit.js';

const idParams = z.object({ id: z.uuid() });

/** Escalations: the senior leaders' queue (auditors read it), acknowledge, and close with a note. */
export const escalationsPageRoutes = pageRoutes(async (app) => {
  app.get('/escalations', async (request, reply) =>
    renderPage(request, reply, async (base) =>
      EscalationsPage({ ...base, queue: await listEscalationQueue(request.ctx) }),
    ),
  );

  app.post(
    '/escalations/:id/acknowledge',
    { schema: { params: idParams, body: formBody({ note: formField.optionalText(4_000) }) } },
    async (request, reply) =>
      runForm(reply, '/escalations', async () => {
        const { note } = request.body;
        await resolveEscalation(request.ctx, {
          escalationId: request.params.id,
          outcome: 'acknowledge',
          ...(note ? { note } : {}),
        });
        return 'Acknowledged: the queue shows you are dealing with it.';
      }),
  );

  app.post(
    '/escalations/:id/close',
    {
      schema: {
        params: idParams,
        body: formBody({ note: formField.text(4_000), notReferred: formField.checkbox() }),
      },
    },
    async (request, reply) =>
      runForm(reply, '/escalations', async () => {
        await resolveEscalation(request.ctx, {
          escalationId: request.params.id,
          outcome: 'close',
          note: request.body.note,
          notReferred: request.body.notReferred,
        });
        return 'Closed, with your note kept in the audit log.';
      }),
  );
});
