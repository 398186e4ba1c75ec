import { z } from 'zod';
import { listSchoolStaff } from '../../../accounts/list-school-staff.js';
import { createSavedReply } from '../../../comments/create-saved-reply.js';
import { deleteSavedReply } from '../../../comments/delete-saved-reply.js';
import { listSavedReplies } from '../../../comments/list-saved-replies.js';
import { SAVED_REPLY_EDITORS } from '../../../comments/saved-reply-rules.js';
import { updateSavedReply } from '../../../comments/update-saved-reply.js';
import { hasRole } from '../../../core/principal.js';
import { notFound } from '../../../core/service-error.js';
import { SavedRepliesPage } from '../../../web/pages/saved-replies-page.js';
import { formBody, formField, pageRoutes, renderPage, runForm } from '../../page-kit.js';

/** The form's fields as sent; the verb's schema (saved-reply-rules.ts) says what is wrong with them. */
const replyForm = formBody({ title: formField.text(1_000), body: formField.text(10_000) });
const schoolParams = z.object({ schoolId: z.uuid() });
const replyParams = z.object({ id: z.uuid() });
const back = (schoolId: string) => `/schools/${schoolId}/saved-replies`;

/** The saved replies screen (/schools/:schoolId/saved-replies) and its add, save and delete forms. */
export const savedRepliesPageRoutes = pageRoutes(async (app) => {
  app.get('/saved-replies', async (request, reply) => {
    const [first] = [...request.principal!.rolesBySchool.keys()];
    if (!first) throw notFound('A school of yours');
    return reply.redirect(back(first), 303);
  });

  app.get(
    '/schools/:schoolId/saved-replies',
    { schema: { params: schoolParams } },
    async (request, reply) => {
      const { schoolId } = request.params;
      const [replies, staff] = await Promise.all([
        listSavedReplies(request.ctx, schoolId),
        listSchoolStaff(request.ctx),
      ]);
      const school = staff.find((s) => s.schoolId === schoolId);
      return renderPage(request, reply, (base) =>
        SavedRepliesPage({
          ...base,
          school: { id: schoolId, name: school?.schoolName ?? 'Your school' },
          otherSchools: staff
            .filter((s) => s.schoolId !== schoolId)
            .map((s) => ({ id: s.schoolId, name: s.schoolName })),
          replies,
          editable: hasRole(request.principal!, schoolId, SAVED_REPLY_EDITORS),
        }),
      );
    },
  );

  app.post(
    '/schools/:schoolId/saved-replies',
    { schema: { params: schoolParams, body: replyForm } },
    async (request, reply) =>
      runForm(reply, back(request.params.schoolId), async () => {
        const saved = await createSavedReply(request.ctx, request.params.schoolId, request.body);
        return `Saved reply “${saved.title}” added.`;
      }),
  );

  app.post(
    '/saved-replies/:id',
    { schema: { params: replyParams, body: replyForm } },
    async (request, reply) =>
      runForm(reply, '/saved-replies', async () => {
        const saved = await updateSavedReply(request.ctx, request.params.id, request.body);
        return {
          redirect: back(saved.schoolId),
          flash: { kind: 'ok', text: `Saved reply “${saved.title}” saved.` },
        };
      }),
  );

  app.post(
    '/saved-replies/:id/delete',
    { schema: { params: replyParams, body: formBody({}) } },
    async (request, reply) =>
      runForm(reply, '/saved-replies', async () => {
        await deleteSavedReply(request.ctx, request.params.id);
        return 'Saved reply deleted.';
      }),
  );
});
