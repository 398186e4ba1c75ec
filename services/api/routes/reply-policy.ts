import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { getReplyPolicy } from '../../comments/reply-policy.js';
import { setReplyPolicy, setReplyPolicyInput } from '../../comments/set-reply-policy.js';

const schoolParams = z.object({ schoolId: z.uuid() });

/** How the school answers in public: house rules, notices, flag target, sensitive topics, sign-off. */
export const replyPolicyRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/api/schools/:schoolId/reply-policy',
    { schema: { tags: ['schools'], params: schoolParams } },
    async (request) => getReplyPolicy(request.ctx, request.params.schoolId),
  );
  app.put(
    '/api/schools/:schoolId/reply-policy',
    { schema: { tags: ['schools'], params: schoolParams, body: setReplyPolicyInput } },
    async (request) => setReplyPolicy(request.ctx, request.params.schoolId, request.body),
  );
};
