import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { clearFlag } from '../../classification/corrections/clear-flag.js';
import { exportCorrectionExamples } from '../../classification/corrections/correction-examples.js';
import { correctionQualityReport } from '../../classification/corrections/correction-quality-report.js';
import { flagComment } from '../../classification/corrections/flag-comment.js';
import { listCorrections } from '../../classification/corrections/list-corrections.js';
import { reviewCorrection } from '../../classification/corrections/review-correction.js';

const commentParams = z.object({ id: z.uuid() });
const schoolParams = z.object({ schoolId: z.uuid() });
const correctionParams = z.object({ schoolId: z.uuid(), correctionId: z.uuid() });
/** Bodies are checked by the verbs, which name what was wrong; here only their size is bounded. */
const anyBody = z.record(z.string(), z.unknown());

/**
 * Staff teach the classifier (issue 20): "flag this" and "not a problem" on a comment, the
 * school's review list of corrections for trust admins, its training examples in the corpus format,
 * and the monthly quality report.
 */
export const correctionRoutes: FastifyPluginAsyncZod = async (app) => {
  app.post(
    '/api/comments/:id/corrections/flag',
    {
      schema: {
        tags: ['classifier'],
        summary:
          'Flag this: a category the classifier missed (or a confirmation of one it gave); routed at once',
        params: commentParams,
        body: anyBody,
      },
    },
    async (request, reply) =>
      reply.status(201).send(await flagComment(request.ctx, request.params.id, request.body)),
  );

  app.post(
    '/api/comments/:id/corrections/not-a-problem',
    {
      schema: {
        tags: ['classifier'],
        summary: 'Not a problem: clear one of the comment’s flags, with a reason',
        params: commentParams,
        body: anyBody,
      },
    },
    async (request, reply) =>
      reply.status(201).send(await clearFlag(request.ctx, request.params.id, request.body)),
  );

  app.get(
    '/api/schools/:schoolId/corrections',
    {
      schema: {
        tags: ['classifier'],
        summary: 'The school’s corrections to review (trust admins)',
        params: schoolParams,
        querystring: z.object({ status: z.string().max(20).optional() }),
      },
    },
    async (request) =>
      listCorrections(
        request.ctx,
        request.params.schoolId,
        request.query.status ? { status: request.query.status } : {},
      ),
  );

  app.post(
    '/api/schools/:schoolId/corrections/:correctionId/review',
    {
      schema: {
        tags: ['classifier'],
        summary:
          'Turn a correction into a school term, an allow-list entry or a training example, or dismiss it',
        params: correctionParams,
        body: anyBody,
      },
    },
    async (request) =>
      reviewCorrection(request.ctx, request.params.schoolId, request.params.correctionId, request.body),
  );

  app.get(
    '/api/schools/:schoolId/corrections/examples.jsonl',
    {
      schema: {
        tags: ['classifier'],
        summary: 'Training examples from reviewed corrections, one {id,text,expect,kind,subkind} per line',
        params: schoolParams,
      },
    },
    async (request, reply) => {
      const body = await exportCorrectionExamples(request.ctx, request.params.schoolId);
      return reply
        .header('content-type', 'application/x-ndjson; charset=utf-8')
        .header('content-disposition', 'attachment; filename="staff-corrections.jsonl"')
        .header('cache-control', 'no-store')
        .send(body);
    },
  );

  app.get(
    '/api/schools/:schoolId/classifier-quality',
    {
      schema: {
        tags: ['classifier'],
        summary: 'Monthly quality report: flags confirmed, overturned and missed, by category',
        params: schoolParams,
        querystring: z.object({ month: z.string().max(20).optional() }),
      },
    },
    async (request) =>
      correctionQualityReport(request.ctx, request.params.schoolId, {
        month: request.query.month ?? new Date().toISOString().slice(0, 7),
      }),
  );
};
