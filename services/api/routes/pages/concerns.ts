import { z } from 'zod';
import { CONCERN_KINDS, type RaiseConcernResult, raiseConcern } from '../../../moderation/raise-concern.js';
import { formBody, formField, pageRoutes, runForm } from '../../page-kit.js';

const commentParams = z.object({ id: z.uuid() });
const commentPath = (id: string) => `/comments/${id}`;

const people = (n: number) => (n === 1 ? '1 person' : `${n} people`);

/** What the person who raised a concern is told: who heard of it, truthfully. */
function sentMessage(result: RaiseConcernResult): string {
  if (result.notified === 0) {
    if (result.escalation.kind === 'safeguarding' && result.sentTo === 'safeguarding_leads')
      return 'Recorded on the safeguarding page. You are the only safeguarding lead, so nobody else was notified.';
    return result.escalation.kind === 'safeguarding'
      ? 'Recorded, but nobody else at the school holds the safeguarding lead or senior leader role in Hallmonitor: tell your safeguarding lead in person now.'
      : 'Recorded in the escalations queue, but nobody else at the school holds the senior leader role in Hallmonitor.';
  }
  if (result.sentTo === 'safeguarding_leads')
    return `Sent to the safeguarding leads (${people(result.notified)}) at once.`;
  return result.escalation.kind === 'safeguarding'
    ? `The school has no safeguarding lead in Hallmonitor, so it was sent to the senior leaders (${people(result.notified)}) at once.`
    : `Reported to the senior leaders (${people(result.notified)}); it is in their escalations queue.`;
}

/**
 * The comment page's concern forms: any member of staff raises a safeguarding concern (to the
 * safeguarding leads) or reports misuse (to the senior leaders), and is told who heard of it.
 */
export const concernPageRoutes = pageRoutes(async (app) => {
  app.post(
    '/comments/:id/concerns',
    {
      schema: {
        params: commentParams,
        body: formBody({ kind: formField.choice(CONCERN_KINDS), note: formField.text(4_000) }),
      },
    },
    async (request, reply) =>
      runForm(reply, commentPath(request.params.id), async () =>
        sentMessage(
          await raiseConcern(request.ctx, {
            commentId: request.params.id,
            kind: request.body.kind,
            note: request.body.note,
          }),
        ),
      ),
  );
});
