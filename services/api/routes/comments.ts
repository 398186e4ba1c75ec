import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { assignComment, assignCommentInputSchema } from '../../comments/assign-comment.js';
import { getCommentDetail } from '../../comments/get-comment-detail.js';
import { respond, respondInputSchema } from '../../comments/respond.js';
import { storableIsoDate } from '../../core/storable-date.js';
import { deadlineReport } from '../../deadlines/deadline-report.js';
import { deadlineReportCsv } from '../../deadlines/deadline-report-csv.js';
import { MAX_ICS_BYTES } from '../../deadlines/ical-closures.js';
import { importCalendarIcal } from '../../deadlines/import-calendar-ical.js';
import { updateSchoolCalendar } from '../../deadlines/update-school-calendar.js';

const commentParams = z.object({ id: z.uuid() });
const schoolParams = z.object({ schoolId: z.uuid() });

/** Triage: responses, assignment, deadline reports and the school calendar. */
export const commentRoutes: FastifyPluginAsyncZod = async (app) => {
  const effects = app.deps.commentEffects;

  app.get(
    '/api/comments/:id',
    {
      schema: {
        tags: ['comments'],
        summary:
          'One comment with its thread, the author’s earlier comments, labels, deadline, responses, actions and history',
        params: commentParams,
      },
    },
    async (request) => getCommentDetail(request.ctx, request.params.id),
  );

  // School closure calendars are exported as text/calendar; plain text is accepted too.
  app.addContentTypeParser(
    'text/calendar',
    { parseAs: 'string', bodyLimit: MAX_ICS_BYTES },
    (_req, body, done) => done(null, body),
  );

  app.post(
    '/api/comments/:id/responses',
    {
      schema: { tags: ['comments'], params: commentParams, body: respondInputSchema },
    },
    async (request, reply) =>
      reply.status(201).send(await respond(request.ctx, request.params.id, request.body, effects)),
  );

  app.post(
    '/api/comments/:id/assign',
    {
      schema: { tags: ['comments'], params: commentParams, body: assignCommentInputSchema },
    },
    async (request) => assignComment(request.ctx, request.params.id, request.body),
  );

  app.get(
    '/api/schools/:schoolId/reports/deadlines',
    {
      schema: {
        tags: ['reports'],
        params: schoolParams,
        querystring: z.object({
          from: storableIsoDate,
          to: storableIsoDate,
          format: z.enum(['json', 'csv']).default('json'),
        }),
      },
    },
    async (request, reply) => {
      const { format, ...range } = request.query;
      const report = await deadlineReport(request.ctx, request.params.schoolId, range);
      if (format === 'json') return report;
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="deadlines-${range.from}-${range.to}.csv"`)
        .send(deadlineReportCsv(report));
    },
  );

  app.put(
    '/api/schools/:schoolId/calendar',
    {
      schema: { tags: ['schools'], params: schoolParams, body: z.record(z.string(), z.unknown()) },
    },
    async (request) =>
      updateSchoolCalendar(request.ctx, request.params.schoolId, request.body, effects.timers),
  );

  app.post(
    '/api/schools/:schoolId/calendar/ical',
    {
      schema: { tags: ['schools'], params: schoolParams, body: z.string().min(1) },
    },
    async (request) => importCalendarIcal(request.ctx, request.params.schoolId, request.body, effects.timers),
  );
};
