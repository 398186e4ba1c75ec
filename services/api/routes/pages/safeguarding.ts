import { z } from 'zod';
import { listSafeguardingEscalations } from '../../../moderation/list-escalations.js';
import { resolveEscalation } from '../../../moderation/resolve-escalation.js';
import { SafeguardingPage } from '../../../web/pages/safeguarding-page.js';
import { formBody, formField, pageRoutes, renderPage, runForm } from '../../page-kit.js';

const idParams = z.object({ id: z.uuid() });

/** Safeguarding: the escalations a safeguarding lead acknowledges and closes. */
export const safeguardingPageRoutes = pageRoutes(async (app) => {
  app.get('/safeguarding', async (request, reply) =>
    renderPage(request, reply, async (base) =>
      SafeguardingPage({ ...base, escalations: await listSafeguardingEscalations(request.ctx) }),
    ),
  );

  app.post(
    '/safeguarding/:id/resolve',
    {
      schema: {
        params: idParams,
        body: formBody({ outcome: formField.choice(['acknowledge', 'close']), note: formField.text(4_000) }),
      },
    },
    async (request, reply) =>
      runForm(reply, '/safeguarding', async () => {
        const { outcome, note } = request.body;
        await resolveEscalation(request.ctx, { escalationId: request.params.id, outcome, note });
        return outcome === 'close' ? 'Escalation closed' : 'Escalation acknowledged';
      }),
  );
});
