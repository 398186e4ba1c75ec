import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { addSchoolTerm, addSchoolTermInput } from '../../classification/add-school-term.js';
import { getSchoolContactDetails } from '../../classification/get-school-contact-details.js';
import { importRoster, importRosterInput } from '../../classification/import-roster.js';
import { listRoster } from '../../classification/list-roster.js';
import { listSchoolTerms } from '../../classification/list-school-terms.js';
import { removeRosterEntries, removeRosterInput } from '../../classification/remove-roster-entries.js';
import { removeSchoolTerm } from '../../classification/remove-school-term.js';
import {
  setSchoolContactDetails,
  setSchoolContactDetailsInput,
} from '../../classification/set-school-contact-details.js';

const schoolParams = z.object({ schoolId: z.uuid() });
const entryParams = z.object({ schoolId: z.uuid(), entryId: z.uuid() });

/**
 * A school's own classifier terms, allow-list and pupil roster. Roster answers are never cached
 * by the browser (they hold pupils' names).
 */
export const schoolSettingsRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/api/schools/:schoolId/lexicon',
    {
      schema: {
        tags: ['schools'],
        params: schoolParams,
        querystring: z.object({ kind: z.enum(['term', 'allow']).optional() }),
      },
    },
    async (request) =>
      listSchoolTerms(
        request.ctx,
        request.params.schoolId,
        request.query.kind ? { kind: request.query.kind } : {},
      ),
  );

  app.post(
    '/api/schools/:schoolId/lexicon',
    {
      schema: { tags: ['schools'], params: schoolParams, body: addSchoolTermInput },
    },
    async (request, reply) =>
      reply.status(201).send(await addSchoolTerm(request.ctx, request.params.schoolId, request.body)),
  );

  app.delete(
    '/api/schools/:schoolId/lexicon/:entryId',
    { schema: { tags: ['schools'], params: entryParams } },
    async (request) => removeSchoolTerm(request.ctx, request.params.schoolId, request.params.entryId),
  );

  app.get(
    '/api/schools/:schoolId/contact-details',
    { schema: { tags: ['schools'], params: schoolParams } },
    async (request) => getSchoolContactDetails(request.ctx, request.params.schoolId),
  );

  app.put(
    '/api/schools/:schoolId/contact-details',
    { schema: { tags: ['schools'], params: schoolParams, body: setSchoolContactDetailsInput } },
    async (request) => setSchoolContactDetails(request.ctx, request.params.schoolId, request.body),
  );

  app.get(
    '/api/schools/:schoolId/roster',
    { schema: { tags: ['schools'], params: schoolParams } },
    async (request, reply) => {
      const roster = await listRoster(request.ctx, request.params.schoolId, app.config.encryptionKey);
      return reply.header('cache-control', 'no-store').send(roster);
    },
  );

  app.post(
    '/api/schools/:schoolId/roster',
    {
      schema: { tags: ['schools'], params: schoolParams, body: importRosterInput },
      bodyLimit: 1_048_576,
    },
    async (request) =>
      importRoster(request.ctx, request.params.schoolId, request.body, app.config.encryptionKey),
  );

  app.post(
    '/api/schools/:schoolId/roster/remove',
    {
      schema: { tags: ['schools'], params: schoolParams, body: removeRosterInput },
    },
    async (request) => removeRosterEntries(request.ctx, request.params.schoolId, request.body),
  );
};
