import { z } from 'zod';
import { confirmAction } from '../../../moderation/confirm-action.js';
import { listFlags } from '../../../moderation/list-flags.js';
import { rejectAction } from '../../../moderation/reject-action.js';
import { FlagsPage } from '../../../web/pages/flags-page.js';
import { formBody, formField, pageRoutes, renderPage, runForm } from '../../page-kit.js';

const idParams = z.object({ id: z.uuid() });
/** The confirm and reject forms sit on Flags and on Approvals: each goes back where it came from. */
const returnTo = formField.choice(['/flags', '/approvals']);

/** Flags: what the classifier flagged on the accounts this person administers, and pending actions. */
export const flagsPageRoutes = pageRoutes(async (app) => {
  const { actionDispatch } = app.deps;

  app.get('/flags', async (request, reply) =>
    renderPage(request, reply, async (base) => FlagsPage({ ...base, flags: await listFlags(request.ctx) })),
  );

  app.post(
    '/web/actions/:id/confirm',
    {
      schema: {
        params: idParams,
        body: formBody({ returnTo, breakGlassReason: formField.optionalText(2_000) }),
      },
    },
    async (request, reply) => {
      const { returnTo: back, breakGlassReason } = request.body;
      return runForm(reply, back, async () => {
        const { action } = await confirmAction(
          request.ctx,
          { actionId: request.params.id, ...(breakGlassReason ? { breakGlassReason } : {}) },
          actionDispatch,
        );
        return action.status === 'expired'
          ? `The ${action.kind} had expired before it was confirmed`
          : `Confirmed: the ${action.kind} is ${action.status === 'queued' ? 'being carried out' : action.status}`;
      });
    },
  );

  app.post(
    '/web/actions/:id/reject',
    { schema: { params: idParams, body: formBody({ returnTo, reason: formField.text(2_000) }) } },
    async (request, reply) =>
      runForm(reply, request.body.returnTo, async () => {
        const { action } = await rejectAction(request.ctx, {
          actionId: request.params.id,
          reason: request.body.reason,
        });
        return `Rejected the proposed ${action.kind}`;
      }),
  );
});
