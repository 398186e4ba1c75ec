import { DateTime } from 'luxon';
import { z } from 'zod';
import { listSchoolStaff } from '../../../accounts/list-school-staff.js';
import { listFollowUps } from '../../../comments/list-follow-ups.js';
import { hasRole } from '../../../core/principal.js';
import { ServiceError } from '../../../core/service-error.js';
import { storableIsoDate } from '../../../core/storable-date.js';
import { deadlineReport } from '../../../deadlines/deadline-report.js';
import { deadlineTrend } from '../../../deadlines/deadline-trend.js';
import { retentionReport } from '../../../deadlines/retention-report.js';
import { DeadlinesPage } from '../../../web/pages/deadlines-page.js';
import { FollowUpsPage } from '../../../web/pages/follow-ups-page.js';
import { RetentionReportPage } from '../../../web/pages/retention-report-page.js';
import { pageRoutes, renderPage } from '../../page-kit.js';

const REPORT_ROLES = ['senior_leader', 'comms', 'trust_admin', 'auditor'] as const;
const FOLLOW_UP_ROLES = REPORT_ROLES;
const RETENTION_ROLES = ['senior_leader', 'trust_admin', 'auditor'] as const;

/**
 * Deadlines: how many comments were answered in time, per school, over a date range; and the
 * follow-up queue (P2) of comments held by a holding reply and not yet answered in full.
 */
export const deadlinesPageRoutes = pageRoutes(async (app) => {
  app.get(
    '/reports/retention',
    { schema: { querystring: z.object({ schoolId: z.uuid().optional() }) } },
    async (request, reply) =>
      renderPage(request, reply, async (base) => {
        const principal = request.principal!;
        const staff = await listSchoolStaff(request.ctx);
        const schools = staff
          .filter((s) => hasRole(principal, s.schoolId, RETENTION_ROLES))
          .map((s) => ({ id: s.schoolId, name: s.schoolName }));
        const schoolId = request.query.schoolId ?? schools[0]?.id;
        if (!schoolId) {
          throw new ServiceError(
            'FORBIDDEN',
            'Only senior leader, trust admin or auditor staff may read the retention report',
          );
        }
        const report = await retentionReport(request.ctx, schoolId);
        return RetentionReportPage({ ...base, schools, report });
      }),
  );

  app.get('/follow-ups', async (request, reply) =>
    renderPage(request, reply, async (base) => {
      const principal = request.principal!;
      if (![...principal.rolesBySchool.keys()].some((id) => hasRole(principal, id, FOLLOW_UP_ROLES))) {
        throw new ServiceError(
          'FORBIDDEN',
          'Only comms, senior leader, trust admin or auditor staff see the follow-up queue',
        );
      }
      return FollowUpsPage({ ...base, items: await listFollowUps(request.ctx) });
    }),
  );

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
