import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  getPeopleSettings,
  peopleSettingsInput,
  peopleSettingsViewSchema,
  updatePeopleSettings,
} from '../../accounts/people-settings.js';

const schoolParams = z.object({ schoolId: z.uuid() });
const tags = ['accounts'];

/** P4/P8: what happens when a change leaves an account short of people, and which accounts are. */
export const peoplePolicyRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/api/schools/:schoolId/people-settings',
    {
      schema: {
        tags,
        summary:
          "The school's people settings (refuse or at risk, replacement days) and its accounts at risk",
        params: schoolParams,
        response: { 200: peopleSettingsViewSchema },
      },
    },
    async (request) => getPeopleSettings(request.ctx, request.params.schoolId),
  );
  app.put(
    '/api/schools/:schoolId/people-settings',
    {
      schema: {
        tags,
        summary: 'Change the people settings (trust admins, senior leaders)',
        params: schoolParams,
        body: peopleSettingsInput,
        response: { 200: peopleSettingsViewSchema },
      },
    },
    async (request) => updatePeopleSettings(request.ctx, request.params.schoolId, request.body),
  );
};
