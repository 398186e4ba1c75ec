import { z } from 'zod';
import { CORRECTION_REVIEWERS } from '../../../classification/corrections/correction-roles.js';
import { listCorrections } from '../../../classification/corrections/list-corrections.js';
import { reviewCorrection } from '../../../classification/corrections/review-correction.js';
import { CorrectionsPage } from '../../../web/pages/corrections-page.js';
import { formBody, formField, pageRoutes, renderPage, runForm } from '../../page-kit.js';
import { schoolsWithRole } from './school-choice.js';

const reviewParams = z.object({ schoolId: z.uuid(), correctionId: z.uuid() });

const OUTCOME_DONE: Record<string, string> = {
  term: 'Added as a school term: the classifier flags it from the next comment',
  allow: 'Added to the allow-list: the classifier no longer flags it',
  example: 'Kept as a training example: it is in the download for the next training run',
  dismiss: 'Dismissed',
};

/**
 * Corrections: trust admins review what staff taught the classifier ("flag this", "not a
 * problem" on the comment page) and turn each into a school term, an allow-list entry or a
 * training example, or dismiss it.
 */
export const correctionsPageRoutes = pageRoutes(async (app) => {
  app.get(
    '/corrections',
    {
      schema: {
        querystring: z.object({
          schoolId: z.uuid().optional(),
          status: z.enum(['pending', 'reviewed', 'all']).default('pending'),
        }),
      },
    },
    async (request, reply) =>
      renderPage(request, reply, async (base) => {
        const schools = await schoolsWithRole(request.ctx, CORRECTION_REVIEWERS, 'review corrections');
        const schoolId = request.query.schoolId ?? schools[0]!.id;
        const { school, corrections } = await listCorrections(request.ctx, schoolId, {
          status: request.query.status,
        });
        return CorrectionsPage({ ...base, schools, school, status: request.query.status, corrections });
      }),
  );

  app.post(
    '/corrections/:schoolId/:correctionId/review',
    {
      schema: {
        params: reviewParams,
        body: formBody({
          outcome: formField.text(20),
          term: formField.optionalText(200),
          severity: formField.optionalText(10),
          note: formField.text(2_000),
        }),
      },
    },
    async (request, reply) => {
      const { schoolId, correctionId } = request.params;
      const { outcome, term, severity, note } = request.body;
      return runForm(reply, `/corrections?schoolId=${schoolId}`, async () => {
        await reviewCorrection(request.ctx, schoolId, correctionId, {
          outcome,
          note,
          ...(outcome === 'term' || outcome === 'allow' ? { term: term ?? '' } : {}),
          ...(outcome === 'term' && severity ? { severity } : {}),
        });
        return OUTCOME_DONE[outcome] ?? 'Reviewed';
      });
    },
  );
});
