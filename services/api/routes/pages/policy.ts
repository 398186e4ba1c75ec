import { z } from 'zod';
import { acknowledgePolicy } from '../../../accounts/acknowledge-policy.js';
import { getPolicyStatus } from '../../../accounts/get-policy-status.js';
import { listSchoolStaff } from '../../../accounts/list-school-staff.js';
import { setPolicyVersion } from '../../../accounts/set-policy-version.js';
import { hasRole } from '../../../core/principal.js';
import { ServiceError } from '../../../core/service-error.js';
import { PolicyPage } from '../../../web/pages/policy-page.js';
import { formBody, formField, pageRoutes, renderPage, runForm } from '../../page-kit.js';

const schoolParams = z.object({ schoolId: z.uuid() });
const PUBLISHERS = ['senior_leader', 'trust_admin'] as const;

/** P5: read and acknowledge the school's policy; senior leaders and trust admins publish a version. */
export const policyPageRoutes = pageRoutes(async (app) => {
  const page = (schoolId: string) => `/schools/${schoolId}/policy`;

  app.get('/policy', async (request, reply) => {
    const first = [...request.principal!.rolesBySchool.keys()][0];
    if (!first) throw new ServiceError('FORBIDDEN', 'You hold no role at any school');
    return reply.redirect(page(first), 303);
  });

  app.get('/schools/:schoolId/policy', { schema: { params: schoolParams } }, async (request, reply) =>
    renderPage(request, reply, async (base) => {
      const { schoolId } = request.params;
      const status = await getPolicyStatus(request.ctx, { schoolId });
      const school = (await listSchoolStaff(request.ctx)).find((s) => s.schoolId === schoolId);
      return PolicyPage({
        ...base,
        school: { id: schoolId, name: school?.schoolName ?? '' },
        status,
        canPublish: hasRole(request.principal!, schoolId, PUBLISHERS),
      });
    }),
  );

  app.post(
    '/schools/:schoolId/policy/acknowledge',
    {
      schema: {
        params: schoolParams,
        body: formBody({ versionLabel: formField.text(100), read: formField.checkbox() }),
      },
    },
    async (request, reply) => {
      const { schoolId } = request.params;
      return runForm(reply, page(schoolId), async () => {
        if (!request.body.read)
          throw new ServiceError('INVALID_INPUT', 'Tick the box to say you have read it');
        const r = await acknowledgePolicy(request.ctx, { schoolId, versionLabel: request.body.versionLabel });
        return `Thank you: you have acknowledged version ${r.versionLabel}`;
      });
    },
  );

  app.post(
    '/schools/:schoolId/policy/publish',
    {
      schema: {
        params: schoolParams,
        body: formBody({ versionLabel: formField.text(100), documentUrl: formField.text(2_000) }),
      },
    },
    async (request, reply) => {
      const { schoolId } = request.params;
      return runForm(reply, page(schoolId), async () => {
        const v = await setPolicyVersion(request.ctx, { schoolId, ...request.body });
        return `Published version ${v.versionLabel}: everyone is asked to acknowledge it`;
      });
    },
  );
});
