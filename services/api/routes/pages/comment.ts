import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { mediaApprovers } from '../../../accounts/conduct-settings.js';
import { clearFlag } from '../../../classification/corrections/clear-flag.js';
import { flagComment } from '../../../classification/corrections/flag-comment.js';
import { assignComment } from '../../../comments/assign-comment.js';
import { getCommentPeople } from '../../../comments/comment-people.js';
import { getCommentDetail } from '../../../comments/get-comment-detail.js';
import { savedReplyText } from '../../../comments/list-saved-replies.js';
import { markAuthor, unmarkAuthor } from '../../../comments/mark-author.js';
import { removeReply } from '../../../comments/remove-reply.js';
import { respond } from '../../../comments/respond.js';
import { ServiceError } from '../../../core/service-error.js';
import type { ActionOutcome } from '../../../moderation/action-outcome.js';
import { askParentToRemove } from '../../../moderation/ask-parent.js';
import { confirmAction } from '../../../moderation/confirm-action.js';
import { escalateComment } from '../../../moderation/escalate-comment.js';
import { rejectAction } from '../../../moderation/reject-action.js';
import { setPostCommenting } from '../../../moderation/set-post-commenting.js';
import { takeAction } from '../../../moderation/take-action.js';
import { createAdapterFactory } from '../../../platforms/create-adapter-factory.js';
import { showTimesForSchool } from '../../../web/components/time-zone.js';
import { CommentPage, type CommentPageError } from '../../../web/pages/comment-page.js';
import { ErrorPage } from '../../../web/pages/error-page.js';
import {
  fieldErrorsOf,
  formBody,
  formField,
  inViewerTimeZone,
  pageRoutes,
  setFlash,
  showRefusedForm,
  takeFlash,
} from '../../page-kit.js';

const commentParams = z.object({ id: z.uuid() });
const actionParams = z.object({ id: z.uuid(), actionId: z.uuid() });

/** What a successful form says on the page it redirects to: fixed text, never from the request. */
const DONE = {
  replied: 'Your response is recorded.',
  queued: 'Your reply is queued for the platform; the page shows when it is sent.',
  pending: 'Your reply waits for a senior leader’s approval.',
  closed: 'Closed: no response needed.',
  assigned: 'Assignment saved.',
  removed:
    'The reply is removed from the platform; the comment page keeps it, marked removed, with your reason.',
  proposed: 'Proposed: it is waiting for a second admin.',
  rejected: 'The proposal was turned down.',
  escalated: 'Escalated.',
  flagged:
    'Flagged: the comment is routed as that category now, and the correction is in the school’s review list.',
  flagged_safeguarding:
    'Flagged as a safeguarding concern: the safeguarding leads have been told now, and the correction is in the school’s review list.',
  flagged_media:
    'Marked as a media enquiry: the senior leaders are told, and any reply or offline response now needs the headteacher’s approval.',
  cleared_media:
    'No longer a media enquiry: its escalation is closed with your reason, and replies no longer wait for the headteacher.',
  flag_confirmed: 'Thank you: the classifier had flagged that already; your confirmation is recorded.',
  cleared:
    'Not a problem: the flag is cleared from the comment and the Flags page, and the correction is in the school’s review list.',
  cleared_safeguarding:
    'Not a problem: the safeguarding flag is cleared from the comment; an escalation already raised stays open for the safeguarding lead to close.',
} as const;
type Done = keyof typeof DONE;

/** After an action is taken or confirmed: what really happens next (queued, or to be done by hand). */
function actionFlash(outcome: ActionOutcome): string {
  if (outcome.state === 'needs_recording')
    return "Approved: now do it in the platform's own app, then record it below.";
  if (outcome.state === 'queued') return `${outcome.headline} This page shows when it is done.`;
  return outcome.headline;
}

const replyForm = formBody({
  kind: formField.choice(['public_reply', 'private_reply', 'acknowledgement', 'offline', 'seen']),
  template: formField.optionalText(50),
  text: formField.text(10_000),
  overrideReason: formField.optionalText(2_000),
  requestApproval: formField.checkbox(),
  /** Offline contact (P2): who was contacted, how, and whether it only held the comment. */
  contactPerson: formField.optionalText(200),
  channel: formField.optionalText(20),
  holding: formField.checkbox(),
  /** A senior leader's reason to reply to a pupil after all (002 §5 Pupils). */
  pupilOverrideReason: formField.optionalText(2_000),
});

/**
 * The comment page (GET /comments/:id), its JSON twin (GET /api/comments/:id), and the page's
 * form-encoded posts: each calls the same verb as the JSON API and answers 303 back to the page,
 * or re-renders the page with the refusal (and the outgoing check's problems) beside the form.
 */
export const commentPageRoutes = pageRoutes(async (app) => {
  const { commentEffects: effects, actionDispatch: dispatch } = app.deps;

  async function renderPage(
    request: FastifyRequest,
    reply: FastifyReply,
    commentId: string,
    extra: {
      status?: number;
      error?: CommentPageError;
      draft?: { kind?: string; text?: string };
      preselect?: string | undefined;
    } = {},
  ) {
    let html: string;
    let status = extra.status ?? 200;
    try {
      const detail = await getCommentDetail(request.ctx, commentId);
      const people = await getCommentPeople(request.ctx, commentId);
      const media = detail.comment.labels.some((l) => l.category === 'media_enquiry')
        ? await mediaApprovers(app.db, detail.comment.schoolId)
        : null;
      html = await inViewerTimeZone(request, async () => {
        showTimesForSchool(detail.comment.schoolId);
        return CommentPage({
          detail,
          ...(await app.pageChrome(request)),
          now: new Date(),
          flash: await takeFlash(request, reply),
          error: extra.error,
          draft: extra.draft,
          preselect: extra.preselect,
          people,
          mediaApprovers: media,
        });
      });
    } catch (error) {
      if (!(error instanceof ServiceError) || !['NOT_FOUND', 'FORBIDDEN'].includes(error.code)) throw error;
      status = error.code === 'NOT_FOUND' ? 404 : 403;
      html = await ErrorPage({ status, message: error.message, ...(await app.pageChrome(request)) });
    }
    return reply.html(html, status);
  }

  const STATUS: Record<string, number> = {
    INVALID_INPUT: 400,
    FORBIDDEN: 403,
    NOT_FOUND: 404,
    CONFLICT: 409,
    PRECONDITION_FAILED: 422,
  };

  /** Runs a form's verb: 303 to the page on success, the page with the refusal otherwise. */
  async function handleForm(
    request: FastifyRequest,
    reply: FastifyReply,
    commentId: string,
    form: string,
    run: () => Promise<Done | { flash: string }>,
    draft?: { kind?: string; text?: string },
  ) {
    try {
      const done = await run();
      setFlash(reply, { kind: 'ok', text: typeof done === 'string' ? DONE[done] : done.flash });
      return reply.redirect(`/comments/${commentId}`, 303);
    } catch (error) {
      if (!(error instanceof ServiceError) || !(error.code in STATUS)) throw error;
      const problems = Array.isArray(error.details?.problems)
        ? (error.details.problems as { reason?: unknown; message?: unknown; spans?: unknown }[]).map((p) => ({
            reason: String(p.reason ?? p.message ?? ''),
            spans: Array.isArray(p.spans) ? (p.spans as [number, number][]) : [],
          }))
        : undefined;
      if (error.code === 'NOT_FOUND' && form !== 'confirm' && form !== 'reject') {
        return renderPage(request, reply, commentId);
      }
      // What was typed goes back in the form; a refusal naming its fields is the GOV.UK summary
      // with each message on its field, any other above the form.
      const fieldErrors = fieldErrorsOf(error);
      showRefusedForm(request, fieldErrors ?? []);
      if (fieldErrors)
        return renderPage(request, reply, commentId, { status: 400, ...(draft ? { draft } : {}) });
      return renderPage(request, reply, commentId, {
        status: STATUS[error.code] ?? 400,
        error: {
          form,
          message: error.message,
          ...(problems ? { problems } : {}),
          ...(typeof error.details?.link === 'string' && error.details.link.startsWith('/')
            ? { link: error.details.link }
            : {}),
        },
        ...(draft ? { draft } : {}),
      });
    }
  }

  app.get(
    '/comments/:id',
    {
      schema: {
        params: commentParams,
        querystring: z.object({ do: z.string().max(20).optional() }),
      },
    },
    async (request, reply) => {
      return renderPage(request, reply, request.params.id, { preselect: request.query.do });
    },
  );

  app.post(
    '/comments/:id/reply',
    { schema: { params: commentParams, body: replyForm } },
    async (request, reply) => {
      const { kind, template, overrideReason, requestApproval, contactPerson, channel, holding } =
        request.body;
      const pupil = request.body.pupilOverrideReason
        ? { pupilOverrideReason: request.body.pupilOverrideReason }
        : {};
      let text = request.body.text.trim();
      if (!text && template) text = (await savedReplyText(request.ctx, template)) ?? '';
      const input =
        kind === 'acknowledgement'
          ? {
              kind,
              ...(text ? { text } : {}),
              ...(overrideReason ? { overrideReason } : {}),
              ...(requestApproval ? { requestApproval } : {}),
              ...pupil,
            }
          : kind === 'seen'
            ? { kind, ...(text ? { note: text } : {}) }
            : kind === 'offline'
              ? { kind, contactPerson: contactPerson ?? '', channel, note: text, holding }
              : {
                  kind,
                  text,
                  ...(overrideReason ? { overrideReason } : {}),
                  ...(requestApproval ? { requestApproval } : {}),
                  ...pupil,
                };
      return handleForm(
        request,
        reply,
        request.params.id,
        'reply',
        async () => {
          const result = await respond(request.ctx, request.params.id, input, effects);
          const status = (result as { responseStatus?: string }).responseStatus;
          if (kind === 'seen')
            return { flash: 'Marked as seen. The commenter was told nothing, so the deadline still runs.' };
          if (kind === 'acknowledgement' && status === 'sending')
            return {
              flash:
                'Holding reply queued: it meets the deadline when the platform confirms it. The comment stays in the follow-up queue until you answer it in full.',
            };
          if (kind === 'offline' && holding)
            return {
              flash:
                'Offline contact recorded. The comment stays in the follow-up queue until it is answered in full.',
            };
          return status === 'sending' ? 'queued' : status === 'pending_approval' ? 'pending' : 'replied';
        },
        { kind, text },
      );
    },
  );

  const platform = { encryptionKey: app.config.encryptionKey, adapterFor: createAdapterFactory(app.config) };
  app.post(
    '/comments/:id/responses/:responseId/remove',
    {
      schema: {
        params: z.object({ id: z.uuid(), responseId: z.uuid() }),
        body: formBody({ reason: formField.text(2_000) }),
      },
    },
    async (request, reply) =>
      handleForm(request, reply, request.params.id, 'remove-reply', async () => {
        await removeReply(request.ctx, request.params.responseId, { reason: request.body.reason }, platform);
        return 'removed';
      }),
  );

  app.post(
    '/comments/:id/post-commenting',
    {
      schema: {
        params: commentParams,
        body: formBody({ commenting: formField.choice(['off', 'on']), reason: formField.text(2_000) }),
      },
    },
    async (request, reply) =>
      handleForm(request, reply, request.params.id, 'post-commenting', async () => {
        const enabled = request.body.commenting === 'on';
        const result = await setPostCommenting(
          request.ctx,
          request.params.id,
          { enabled, reason: request.body.reason },
          platform,
        );
        const now = enabled ? 'People can comment on the post again.' : 'Commenting is off on the post.';
        return { flash: result.alreadyInState ? `Nothing to change: ${now.toLowerCase()}` : now };
      }),
  );

  app.post(
    '/comments/:id/close',
    {
      schema: {
        params: commentParams,
        body: formBody({ reason: formField.text(2_000) }),
      },
    },
    async (request, reply) =>
      handleForm(request, reply, request.params.id, 'close', async () => {
        await respond(
          request.ctx,
          request.params.id,
          { kind: 'no_response_needed', reason: request.body.reason },
          effects,
        );
        return 'closed';
      }),
  );

  app.post(
    '/comments/:id/assign',
    {
      schema: {
        params: commentParams,
        body: formBody({ assigneeId: formField.text(40) }),
      },
    },
    async (request, reply) =>
      handleForm(request, reply, request.params.id, 'assign', async () => {
        await assignComment(request.ctx, request.params.id, { assigneeId: request.body.assigneeId || null });
        return 'assigned';
      }),
  );

  app.post(
    '/comments/:id/act',
    {
      schema: {
        params: commentParams,
        body: formBody({
          kind: formField.text(20),
          reasonCategory: formField.text(40),
          reasonText: formField.text(2_000),
          notice: formField.choice(['default', 'yes', 'no', 'parent']),
          houseRule: formField.optionalText(40),
        }),
      },
    },
    async (request, reply) =>
      handleForm(request, reply, request.params.id, 'act', async () => {
        const { kind, reasonCategory, reasonText, notice, houseRule } = request.body;
        let result: Awaited<ReturnType<typeof takeAction>>;
        try {
          result = await takeAction(
            request.ctx,
            {
              commentId: request.params.id,
              kind,
              reasonCategory,
              reasonText,
              ...(notice === 'yes' ? { notice: true } : notice === 'no' ? { notice: false } : {}),
              ...(notice === 'parent' ? { noticeTemplate: 'parent_remove_and_talk' } : {}),
              ...(houseRule ? { houseRule } : {}),
            } as Parameters<typeof takeAction>[1],
            dispatch,
            app.classifiers,
          );
        } catch (error) {
          if (error instanceof z.ZodError) throw new ServiceError('INVALID_INPUT', z.prettifyError(error));
          throw error;
        }
        return result.needsConfirmation ? 'proposed' : { flash: actionFlash(result.outcome) };
      }),
  );

  app.post(
    '/comments/:id/actions/:actionId/confirm',
    { schema: { params: actionParams, body: formBody({}) } },
    async (request, reply) =>
      handleForm(request, reply, request.params.id, 'confirm', async () => {
        const { outcome } = await confirmAction(request.ctx, { actionId: request.params.actionId }, dispatch);
        return { flash: `Confirmed: ${actionFlash(outcome).replace(/^\w+: /, '')}` };
      }),
  );

  app.post(
    '/comments/:id/actions/:actionId/reject',
    {
      schema: {
        params: actionParams,
        body: formBody({ reason: formField.text(2_000) }),
      },
    },
    async (request, reply) =>
      handleForm(request, reply, request.params.id, 'reject', async () => {
        try {
          await rejectAction(request.ctx, { actionId: request.params.actionId, reason: request.body.reason });
        } catch (error) {
          if (error instanceof z.ZodError) throw new ServiceError('INVALID_INPUT', 'Say why you reject it');
          throw error;
        }
        return 'rejected';
      }),
  );

  app.post(
    '/comments/:id/escalate',
    {
      schema: {
        params: commentParams,
        body: formBody({
          kind: formField.text(40),
          reason: formField.text(4_000),
          externalReference: formField.optionalText(200),
        }),
      },
    },
    async (request, reply) =>
      handleForm(request, reply, request.params.id, 'escalate', async () => {
        const { kind, reason, externalReference } = request.body;
        try {
          await escalateComment(request.ctx, {
            commentId: request.params.id,
            kind,
            reason,
            ...(externalReference ? { externalReference } : {}),
          } as Parameters<typeof escalateComment>[1]);
        } catch (error) {
          if (error instanceof z.ZodError) throw new ServiceError('INVALID_INPUT', z.prettifyError(error));
          throw error;
        }
        return 'escalated';
      }),
  );

  // ---- Who wrote it: parents (P9) and pupils (002 §5 Pupils) ---------------------------------------
  app.post(
    '/comments/:id/author/mark',
    {
      schema: {
        params: commentParams,
        body: formBody({ kind: formField.text(20), note: formField.optionalText(500) }),
      },
    },
    async (request, reply) =>
      handleForm(request, reply, request.params.id, 'author', async () => {
        const { kind, note } = request.body;
        await markAuthor(request.ctx, request.params.id, { kind, ...(note ? { note } : {}) });
        return {
          flash:
            kind === 'pupil'
              ? 'Marked as a pupil: the comment has gone to the behaviour lead, and replies are refused.'
              : 'Marked as a parent or carer: you can now ask them to remove the comment and talk.',
        };
      }),
  );

  app.post(
    '/comments/:id/author/unmark',
    {
      schema: {
        params: commentParams,
        body: formBody({ kind: formField.text(20), reason: formField.text(2_000) }),
      },
    },
    async (request, reply) =>
      handleForm(request, reply, request.params.id, 'author', async () => {
        await unmarkAuthor(request.ctx, request.params.id, request.body);
        return { flash: 'The mark is undone; your reason is recorded.' };
      }),
  );

  app.post(
    '/comments/:id/parent-request',
    {
      schema: {
        params: commentParams,
        body: formBody({ contact: formField.text(20) }),
      },
    },
    async (request, reply) =>
      handleForm(request, reply, request.params.id, 'author', async () => {
        const result = await askParentToRemove(
          request.ctx,
          request.params.id,
          { contact: request.body.contact },
          { dispatch, classifiers: app.classifiers },
        );
        return {
          flash:
            result.contact === 'private'
              ? 'Recorded: send the private message in the platform’s app. The request is tracked on Parent requests until the comment is removed or you escalate it.'
              : 'The public notice is queued. The request is tracked on Parent requests until the comment is removed or you escalate it.',
        };
      }),
  );

  // ---- Staff teach the classifier (issue 20) -------------------------------------------------------
  app.post(
    '/comments/:id/flag',
    {
      schema: {
        params: commentParams,
        body: formBody({ category: formField.text(40), note: formField.text(2_000) }),
      },
    },
    async (request, reply) =>
      handleForm(request, reply, request.params.id, 'flag', async () => {
        const result = await flagComment(request.ctx, request.params.id, {
          category: request.body.category,
          note: request.body.note,
        });
        if (result.kind === 'confirmed') return 'flag_confirmed';
        if (result.category === 'media_enquiry') return 'flagged_media';
        return result.routes.includes('escalate_safeguarding') ? 'flagged_safeguarding' : 'flagged';
      }),
  );

  app.post(
    '/comments/:id/not-a-problem',
    {
      schema: {
        params: commentParams,
        body: formBody({ category: formField.text(40), reason: formField.text(2_000) }),
      },
    },
    async (request, reply) =>
      handleForm(request, reply, request.params.id, 'not-a-problem', async () => {
        const result = await clearFlag(request.ctx, request.params.id, {
          category: request.body.category,
          reason: request.body.reason,
        });
        if (result.category === 'media_enquiry') return 'cleared_media';
        return result.openEscalations > 0 ? 'cleared_safeguarding' : 'cleared';
      }),
  );
});
