import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { listSchoolStaff } from '../../accounts/list-school-staff.js';
import { createSavedReply } from '../../comments/create-saved-reply.js';
import { deleteSavedReply } from '../../comments/delete-saved-reply.js';
import { listSavedReplies } from '../../comments/list-saved-replies.js';
import { SAVED_REPLY_EDITORS } from '../../comments/saved-reply-rules.js';
import { updateSavedReply } from '../../comments/update-saved-reply.js';
import { hasRole } from '../../core/principal.js';
import { notFound } from '../../core/service-error.js';
import { SavedRepliesPage } from '../../web/pages/saved-replies-page.js';
import { pageKit } from '../page-kit.js';

const csrf = { _csrf: z.string().max(200).optional() };
/** The form's fields as sent; the verb's schema (saved-reply-rules.ts) says what is wrong with them. */
const replyForm = z.object({
  ...csrf,
  title: z.string().max(1_000).default(''),
  body: z.string().max(10_000).default(''),
});
const schoolParams = z.object({ schoolId: z.uuid() });
const replyParams = z.object({ id: z.uuid() });

/** The saved replies screen (/schools/:schoolId/saved-replies) and its forms. */
export const savedReplyPageRoutes: FastifyPluginAsyncZod = async (app) => {
  const { page, form } = pageKit(app);
  const back = (schoolId: string) => `/schools/${schoolId}/saved-replies`;

  app.get('/saved-replies', { schema: { hide: true } }, async (request, reply) => {
    const [first] = [...request.principal!.rolesBySchool.keys()];
    if (!first) throw notFound('A school of yours');
    return reply.redirect(back(first), 303);
  });

  app.get(
    '/schools/:schoolId/saved-replies',
    { schema: { hide: true, params: schoolParams } },
    async (request, reply) =>
      page(request, reply, async (base) => {
        const { schoolId } = request.params;
        const replies = await listSavedReplies(request.ctx, schoolId);
        const staff = await listSchoolStaff(request.ctx);
        const school = staff.find((s) => s.schoolId === schoolId);
        return SavedRepliesPage({
          ...base,
          school: { id: schoolId, name: school?.schoolName ?? 'Your school' },
          otherSchools: staff
            .filter((s) => s.schoolId !== schoolId)
            .map((s) => ({ id: s.schoolId, name: s.schoolName })),
          replies,
          editable: hasRole(request.principal!, schoolId, SAVED_REPLY_EDITORS),
        });
      }),
  );

  app.post(
    '/schools/:schoolId/saved-replies',
    { schema: { hide: true, params: schoolParams, body: replyForm } },
    async (request, reply) => {
      const { schoolId } = request.params;
      return form(reply, back(schoolId), async () => {
        const saved = await createSavedReply(request.ctx, schoolId, request.body);
        return `Saved reply “${saved.title}” added.`;
      });
    },
  );

  app.post(
    '/saved-replies/:id',
    { schema: { hide: true, params: replyParams, body: replyForm } },
    async (request, reply) => {
      let to = '/saved-replies';
      return form(reply, to, async () => {
        const saved = await updateSavedReply(request.ctx, request.params.id, request.body);
        to = back(saved.schoolId);
        return { redirect: to, flash: { kind: 'ok', text: `Saved reply “${saved.title}” saved.` } };
      });
    },
  );

  app.post(
    '/saved-replies/:id/delete',
    { schema: { hide: true, params: replyParams, body: z.object(csrf) } },
    async (request, reply) =>
      form(reply, '/saved-replies', async () => {
        await deleteSavedReply(request.ctx, request.params.id);
        return 'Saved reply deleted.';
      }),
  );
};
