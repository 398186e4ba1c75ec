import { z } from 'zod';
import { updatePeopleSettings } from '../../../accounts/people-settings.js';
import { setBehaviourLead } from '../../../accounts/set-behaviour-lead.js';
import { formBody, formField, pageRoutes, runForm } from '../../page-kit.js';

const schoolParams = z.object({ schoolId: z.uuid() });

/** The school settings page's "People the policy requires" form (P4, P8). */
export const peoplePolicyPageRoutes = pageRoutes(async (app) => {
  app.post(
    '/schools/:schoolId/settings/people',
    {
      schema: {
        params: schoolParams,
        body: formBody({ shortfallMode: formField.text(20), replacementDays: formField.text(10) }),
      },
    },
    async (request, reply) => {
      const { schoolId } = request.params;
      const { shortfallMode, replacementDays } = request.body;
      return runForm(reply, `/schools/${schoolId}/settings`, async () => {
        const saved = await updatePeopleSettings(request.ctx, schoolId, {
          shortfallMode: shortfallMode as 'refuse',
          replacementDays: replacementDays.trim() === '' ? Number.NaN : Number(replacementDays),
        });
        return saved.shortfallMode === 'refuse'
          ? 'People settings saved: changes that would leave an account short are refused'
          : `People settings saved: such changes put the account at risk, with ${saved.replacementDays} days to name a replacement`;
      });
    },
  );

  app.post(
    '/schools/:schoolId/settings/behaviour-lead',
    { schema: { params: schoolParams, body: formBody({ userId: formField.optionalText(40) }) } },
    async (request, reply) => {
      const { schoolId } = request.params;
      return runForm(reply, `/schools/${schoolId}/settings`, async () => {
        const saved = await setBehaviourLead(request.ctx, schoolId, { userId: request.body.userId || null });
        return saved.userId
          ? 'Behaviour lead saved: pupils’ comments go to them'
          : 'No behaviour lead: pupils’ comments go to the senior leaders';
      });
    },
  );
});
