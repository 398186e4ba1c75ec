import { z } from 'zod';
import { updateConductSettings } from '../../../accounts/conduct-settings.js';
import { formBody, formField, pageRoutes, runForm } from '../../page-kit.js';

const schoolParams = z.object({ schoolId: z.uuid() });

/** The school settings page's "Media enquiries and unacceptable conduct" form (P6, P7). */
export const conductSettingsPageRoutes = pageRoutes(async (app) => {
  app.post(
    '/schools/:schoolId/settings/conduct',
    {
      schema: {
        params: schoolParams,
        body: formBody({
          headteacherId: formField.text(40),
          mediaDeputyIds: formField.list(10, 40),
          dpoUserId: formField.text(40),
          dpoEmail: formField.text(320),
          harassmentCount: formField.text(10),
          harassmentWindowDays: formField.text(10),
        }),
      },
    },
    async (request, reply) => {
      const { schoolId } = request.params;
      const b = request.body;
      return runForm(reply, `/schools/${schoolId}/settings#conduct-h`, async () => {
        const saved = await updateConductSettings(request.ctx, schoolId, {
          headteacherId: b.headteacherId,
          mediaDeputyIds: b.mediaDeputyIds,
          dpoUserId: b.dpoUserId,
          dpoEmail: b.dpoEmail,
          harassmentCount: b.harassmentCount.trim() === '' ? Number.NaN : Number(b.harassmentCount),
          harassmentWindowDays:
            b.harassmentWindowDays.trim() === '' ? Number.NaN : Number(b.harassmentWindowDays),
        });
        return saved.headteacher
          ? `Media and conduct settings saved: ${saved.headteacher.name} is the headteacher`
          : 'Media and conduct settings saved: no headteacher is named';
      });
    },
  );
});
