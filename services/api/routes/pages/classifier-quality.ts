import { DateTime } from 'luxon';
import { z } from 'zod';
import { correctionQualityReport } from '../../../classification/corrections/correction-quality-report.js';
import { QUALITY_REPORT_READERS } from '../../../classification/corrections/correction-roles.js';
import { ClassifierQualityPage } from '../../../web/pages/classifier-quality-page.js';
import { pageRoutes, renderPage } from '../../page-kit.js';
import { schoolsWithRole } from './school-choice.js';

/** Classifier quality (from the Deadlines reports): staff corrections by category for a month. */
export const classifierQualityPageRoutes = pageRoutes(async (app) => {
  app.get(
    '/reports/classifier-quality',
    {
      schema: {
        querystring: z.object({ schoolId: z.uuid().optional(), month: z.string().max(20).optional() }),
      },
    },
    async (request, reply) =>
      renderPage(request, reply, async (base) => {
        const schools = await schoolsWithRole(
          request.ctx,
          QUALITY_REPORT_READERS,
          'read the classifier quality report',
        );
        const schoolId = request.query.schoolId ?? schools[0]!.id;
        const month = request.query.month || DateTime.utc().toFormat('yyyy-LL');
        const report = await correctionQualityReport(request.ctx, schoolId, { month });
        return ClassifierQualityPage({ ...base, schools, report });
      }),
  );
});
