import { DateTime } from 'luxon';
import { z } from 'zod';
import { listSchoolStaff } from '../../../accounts/list-school-staff.js';
import { hasRole } from '../../../core/principal.js';
import { ServiceError } from '../../../core/service-error.js';
import { storableIsoDate } from '../../../core/storable-date.js';
import { deadlineReport } from '../../../deadlines/deadline-report.js';
import { deadlineTrend } from '../../../deadlines/deadline-trend.js';
import { DeadlinesPage } from '../../../web/pages/deadlines-page.js';
import { pageRoutes, renderPage } from '../../page-kit.js';

const REPORT_ROLES = ['senior_leader', 'comms', 'trust_admin', 'auditor'] as const;

/** Deadlines: how many comments were answered in time, per school, over a date range. */
export const deadlinesPageRoutes = pageRoutes(async (app) => {
  app.get(
    '/deadlines',
    {
      schema: {
        querystring: z.object({
          schoolId: z.uuid().optional(),
          from: storableIsoDate.optional(),
          to: storableIsoDate.optional(),
        }),
      },
    },
    async (request, reply) =>
      renderPage(request, reply, async (base) => {
        const principal = request.principal!;
        const staff = await listSchoolStaff(request.ctx);
        const schools = staff
          .filter((s) => hasRole(principal, s.schoolId, REPORT_ROLES))
          .map((s) => ({ id: s.schoolId, name: s.schoolName }));
        const schoolId = request.query.schoolId ?? schools[0]?.id;
        if (!schoolId) {
          throw new ServiceError(
            'FORBIDDEN',
            'Only senior leader, comms, trust admin or auditor staff may read deadline reports',
          );
        }
        const to = request.query.to ?? DateTime.utc().toISODate();
        const from = request.query.from ?? DateTime.fromISO(to).minus({ days: 55 }).toISODate() ?? to;
        const report = await deadlineReport(request.ctx, schoolId, { from, to });
        const trend = await deadlineTrend(request.ctx, schoolId, { from, to });
        return DeadlinesPage({ ...base, schools, report, trend });
      }),
  );
});
