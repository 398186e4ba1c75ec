import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { DateTime } from 'luxon';
import { z } from 'zod';
import { listSchoolStaff } from '../../accounts/list-school-staff.js';
import {
  CORRECTION_REVIEWERS,
  QUALITY_REPORT_READERS,
} from '../../classification/corrections/correction-access.js';
import { correctionQualityReport } from '../../classification/corrections/correction-quality-report.js';
import { listCorrections } from '../../classification/corrections/list-corrections.js';
import { reviewCorrection } from '../../classification/corrections/review-correction.js';
import { hasRole } from '../../core/principal.js';
import type { ServiceContext } from '../../core/service-context.js';
import { ServiceError } from '../../core/service-error.js';
import { ClassifierQualityPage } from '../../web/pages/classifier-quality-page.js';
import { CorrectionsPage } from '../../web/pages/corrections-page.js';
import { type FormBody, field, pageKit } from '../page-kit.js';

const hidden = { hide: true } as const;
const reviewParams = z.object({ schoolId: z.uuid(), correctionId: z.uuid() });

const OUTCOME_DONE: Record<string, string> = {
  term: 'Added as a school term: the classifier flags it from the next comment',
  allow: 'Added to the allow-list: the classifier no longer flags it',
  example: 'Kept as a training example: it is in the download for the next training run',
  dismiss: 'Dismissed',
};

/** The person's schools where they hold one of `roles`, by name; none is a refusal. */
async function schoolsFor(ctx: ServiceContext, roles: Parameters<typeof hasRole>[2], doing: string) {
  const principal = ctx.principal;
  const staff = await listSchoolStaff(ctx);
  const schools = staff
    .filter((s) => principal && hasRole(principal, s.schoolId, roles))
    .map((s) => ({ id: s.schoolId, name: s.schoolName }));
  if (schools.length === 0) {
    throw new ServiceError(
      'FORBIDDEN',
      `Only ${roles.map((r) => r.replace('_', ' ')).join(' or ')} staff may ${doing}`,
    );
  }
  return schools;
}

/**
 * The screens where staff teaching lands: the review list of corrections (trust admins) and the
 * monthly classifier quality report (from the Deadlines reports: senior leaders, trust admins,
 * auditors). The forms on the comment page are in comment-pages.ts.
 */
export const correctionPageRoutes: FastifyPluginAsyncZod = async (app) => {
  const { page, form } = pageKit(app);

  app.get(
    '/corrections',
    {
      schema: {
        ...hidden,
        querystring: z.object({
          schoolId: z.uuid().optional(),
          status: z.enum(['pending', 'reviewed', 'all']).default('pending'),
        }),
      },
    },
    async (request, reply) =>
      page(request, reply, async (base) => {
        const schools = await schoolsFor(request.ctx, CORRECTION_REVIEWERS, 'review corrections');
        const schoolId = request.query.schoolId ?? schools[0]!.id;
        const { school, corrections } = await listCorrections(request.ctx, schoolId, {
          status: request.query.status,
        });
        return CorrectionsPage({ ...base, schools, school, status: request.query.status, corrections });
      }),
  );

  app.post(
    '/corrections/:schoolId/:correctionId/review',
    { schema: { ...hidden, params: reviewParams } },
    async (request, reply) => {
      const body = request.body as FormBody;
      const { schoolId, correctionId } = request.params;
      const outcome = field(body, 'outcome') ?? '';
      return form(reply, `/corrections?schoolId=${schoolId}`, async () => {
        await reviewCorrection(request.ctx, schoolId, correctionId, {
          outcome,
          note: field(body, 'note') ?? '',
          ...(outcome === 'term' || outcome === 'allow' ? { term: field(body, 'term') ?? '' } : {}),
          ...(outcome === 'term' && field(body, 'severity') ? { severity: field(body, 'severity') } : {}),
        });
        return OUTCOME_DONE[outcome] ?? 'Reviewed';
      });
    },
  );

  app.get(
    '/reports/classifier-quality',
    {
      schema: {
        ...hidden,
        querystring: z.object({ schoolId: z.uuid().optional(), month: z.string().max(20).optional() }),
      },
    },
    async (request, reply) =>
      page(request, reply, async (base) => {
        const schools = await schoolsFor(
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
};
