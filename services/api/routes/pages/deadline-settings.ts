import { z } from 'zod';
import { updateDeadlineSettings } from '../../../deadlines/deadline-settings.js';
import { formBody, formField, pageRoutes, runForm } from '../../page-kit.js';

const schoolParams = z.object({ schoolId: z.uuid() });

/** The settings page's "Responses, monitoring and retention" form (P1, P2, P12). */
export const deadlineSettingsPageRoutes = pageRoutes(async (app) => {
  app.post(
    '/schools/:schoolId/settings/deadlines',
    {
      schema: {
        params: schoolParams,
        body: formBody({
          holdingReplyTemplate: formField.text(2_000),
          followUpWorkingDays: formField.text(10),
          closureMonitorIds: formField.list(50, 40),
          retentionMonths: formField.text(10),
          quarantinedDays: formField.text(10),
          notificationMonths: formField.text(10),
          deliveryLogDays: formField.text(10),
          safeguardingYears: formField.text(10),
        }),
      },
    },
    async (request, reply) => {
      const { schoolId } = request.params;
      const b = request.body;
      return runForm(reply, `/schools/${schoolId}/settings`, async () => {
        await updateDeadlineSettings(request.ctx, schoolId, {
          holdingReplyTemplate: b.holdingReplyTemplate,
          followUpWorkingDays: b.followUpWorkingDays,
          closureMonitorIds: b.closureMonitorIds,
          retentionMonths: b.retentionMonths,
          retention: {
            quarantinedDays: b.quarantinedDays,
            notificationMonths: b.notificationMonths,
            deliveryLogDays: b.deliveryLogDays,
            safeguardingYears: b.safeguardingYears,
          },
        });
        return 'Responses, monitoring and retention settings saved';
      });
    },
  );
});
