import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { queueActionDispatch } from '../../../workers/processors/execute-action.js';
import { clearFlag } from '../../classification/corrections/clear-flag.js';
import { flagComment } from '../../classification/corrections/flag-comment.js';
import { assignComment } from '../../comments/assign-comment.js';
import { queueCommentEffects } from '../../comments/comment-effects.js';
import { getCommentDetail } from '../../comments/get-comment-detail.js';
import { REPLY_TEMPLATES } from '../../comments/reply-templates.js';
import { respond } from '../../comments/respond.js';
import { ServiceError } from '../../core/service-error.js';
import { confirmAction } from '../../moderation/confirm-action.js';
import { escalateComment } from '../../moderation/escalate-comment.js';
import { rejectAction } from '../../moderation/reject-action.js';
import { takeAction } from '../../moderation/take-action.js';
import { CommentPage, type CommentPageError } from '../../web/pages/comment-page.js';
import { ErrorPage } from '../../web/pages/error-page.js';

const commentParams = z.object({ id: z.uuid() });
const actionParams = z.object({ id: z.uuid(), actionId: z.uuid() });
const csrfField = { _csrf: z.string().max(200).optional() };
const blankToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const optionalText = (max: number) => z.preprocess(blankToUndefined, z.string().max(max).optional());

/** What a successful form says on the page it redirects to: fixed text, never from the request. */
const DONE: Record<string, string> = {
  replied: 'Your response is recorded.',
  queued: 'Your reply is queued for the platform; the page shows when it is sent.',
  pending: 'Your reply waits for a senior leader’s approval.',
  closed: 'Closed: no response needed.',
  assigned: 'Assignment saved.',
  acted: 'Done: the action is under way.',
  proposed: 'Proposed: it is waiting for a second admin.',
  confirmed: 'Confirmed: the action is under way.',
  rejected: 'The proposal was turned down.',
  escalated: 'Escalated.',
  flagged:
    'Flagged: the comment is routed as that category now, and the correction is in the school’s review list.',
  flagged_safeguarding:
    'Flagged as a safeguarding concern: the safeguarding leads have been told now, and the correction is in the school’s review list.',
  flag_confirmed: 'Thank you: the classifier had flagged that already; your confirmation is recorded.',
  cleared:
    'Not a problem: the flag is cleared from the comment and the Flags page, and the correction is in the school’s review list.',
  cleared_safeguarding:
    'Not a problem: the safeguarding flag is cleared from the comment; an escalation already raised stays open for the safeguarding lead to close.',
};

const replyForm = z.object({
  ...csrfField,
  kind: z.enum(['public_reply', 'private_reply', 'acknowledgement']).default('public_reply'),
  template: optionalText(50),
  text: z.string().max(10_000).default(''),
  overrideReason: optionalText(2_000),
});

/**
 * The comment page (GET /comments/:id), its JSON twin (GET /api/comments/:id), and the page's
 * form-encoded posts: each calls the same verb as the JSON API and answers 303 back to the page,
 * or re-renders the page with the refusal (and the outgoing check's problems) beside the form.
 */
export const commentPageRoutes: FastifyPluginAsyncZod = async (app) => {
  const effects = { ...queueCommentEffects(app.queues), classifiers: app.classifiers };
  const dispatch = queueActionDispatch(app.queues);

  async function renderPage(
    request: FastifyRequest,
    reply: FastifyReply,
    commentId: string,
    extra: {
      status?: number;
      error?: CommentPageError;
      draft?: { kind?: string; text?: string };
      notice?: string | undefined;
      preselect?: string | undefined;
    } = {},
  ) {
    let html: string;
    let status = extra.status ?? 200;
    try {
      const detail = await getCommentDetail(request.ctx, commentId);
      html = await CommentPage({
        detail,
        ...(await app.pageChrome(request)),
        now: new Date(),
        notice: extra.notice,
        error: extra.error,
        draft: extra.draft,
        preselect: extra.preselect,
      });
    } catch (error) {
      if (!(error instanceof ServiceError) || !['NOT_FOUND', 'FORBIDDEN'].includes(error.code)) throw error;
      status = error.code === 'NOT_FOUND' ? 404 : 403;
      html = await ErrorPage({ status, message: error.message, ...(await app.pageChrome(request)) });
    }
    return reply
      .status(status)
      .header('content-type', 'text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .send(html);
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
    run: () => Promise<string>,
    draft?: { kind?: string; text?: string },
  ) {
    try {
      const done = await run();
      return reply.redirect(`/comments/${commentId}?done=${done}`, 303);
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
      return renderPage(request, reply, commentId, {
        status: STATUS[error.code] ?? 400,
        error: { form, message: error.message, ...(problems ? { problems } : {}) },
        ...(draft ? { draft } : {}),
      });
    }
  }

  app.get(
    '/comments/:id',
    {
      schema: {
        hide: true,
        params: commentParams,
        querystring: z.object({ done: z.string().max(20).optional(), do: z.string().max(20).optional() }),
      },
    },
    async (request, reply) => {
      return renderPage(request, reply, request.params.id, {
        notice: request.query.done ? DONE[request.query.done] : undefined,
        preselect: request.query.do,
      });
    },
  );

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

  app.post(
    '/comments/:id/reply',
    { schema: { hide: true, params: commentParams, body: replyForm } },
    async (request, reply) => {
      const { kind, template, overrideReason } = request.body;
      let text = request.body.text.trim();
      if (!text && template) text = REPLY_TEMPLATES.find((t) => t.id === template)?.text ?? '';
      const input =
        kind === 'acknowledgement'
          ? { kind, ...(text ? { text } : {}) }
          : { kind, text, ...(overrideReason ? { overrideReason } : {}) };
      return handleForm(
        request,
        reply,
        request.params.id,
        'reply',
        async () => {
          const result = await respond(request.ctx, request.params.id, input, effects);
          const status = (result as { responseStatus?: string }).responseStatus;
          return status === 'sending' ? 'queued' : status === 'pending_approval' ? 'pending' : 'replied';
        },
        { kind, text },
      );
    },
  );

  app.post(
    '/comments/:id/close',
    {
      schema: {
        hide: true,
        params: commentParams,
        body: z.object({ ...csrfField, reason: z.string().max(2_000) }),
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
        hide: true,
        params: commentParams,
        body: z.object({ ...csrfField, assigneeId: z.string().max(40).default('') }),
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
        hide: true,
        params: commentParams,
        body: z.object({
          ...csrfField,
          kind: z.string().max(20),
          reasonCategory: z.string().max(40),
          reasonText: z.string().max(2_000).default(''),
          noticeTemplate: optionalText(50),
        }),
      },
    },
    async (request, reply) =>
      handleForm(request, reply, request.params.id, 'act', async () => {
        const { kind, reasonCategory, reasonText, noticeTemplate } = request.body;
        let result: Awaited<ReturnType<typeof takeAction>>;
        try {
          result = await takeAction(
            request.ctx,
            {
              commentId: request.params.id,
              kind,
              reasonCategory,
              reasonText,
              ...(noticeTemplate ? { noticeTemplate } : {}),
            } as Parameters<typeof takeAction>[1],
            dispatch,
            app.classifiers,
          );
        } catch (error) {
          if (error instanceof z.ZodError) throw new ServiceError('INVALID_INPUT', z.prettifyError(error));
          throw error;
        }
        return result.needsConfirmation ? 'proposed' : 'acted';
      }),
  );

  app.post(
    '/comments/:id/actions/:actionId/confirm',
    { schema: { hide: true, params: actionParams, body: z.object(csrfField) } },
    async (request, reply) =>
      handleForm(request, reply, request.params.id, 'confirm', async () => {
        await confirmAction(request.ctx, { actionId: request.params.actionId }, dispatch);
        return 'confirmed';
      }),
  );

  app.post(
    '/comments/:id/actions/:actionId/reject',
    {
      schema: {
        hide: true,
        params: actionParams,
        body: z.object({ ...csrfField, reason: z.string().max(2_000).default('') }),
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
        hide: true,
        params: commentParams,
        body: z.object({
          ...csrfField,
          kind: z.string().max(40),
          reason: z.string().max(4_000).default(''),
          externalReference: optionalText(200),
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

  // ---- Staff teach the classifier (issue 20) -------------------------------------------------------
  app.post(
    '/comments/:id/flag',
    {
      schema: {
        hide: true,
        params: commentParams,
        body: z.object({
          ...csrfField,
          category: z.string().max(40).default(''),
          note: z.string().max(2_000).default(''),
        }),
      },
    },
    async (request, reply) =>
      handleForm(request, reply, request.params.id, 'flag', async () => {
        const result = await flagComment(request.ctx, request.params.id, {
          category: request.body.category,
          note: request.body.note,
        });
        if (result.kind === 'confirmed') return 'flag_confirmed';
        return result.routes.includes('escalate_safeguarding') ? 'flagged_safeguarding' : 'flagged';
      }),
  );

  app.post(
    '/comments/:id/not-a-problem',
    {
      schema: {
        hide: true,
        params: commentParams,
        body: z.object({
          ...csrfField,
          category: z.string().max(40).default(''),
          reason: z.string().max(2_000).default(''),
        }),
      },
    },
    async (request, reply) =>
      handleForm(request, reply, request.params.id, 'not-a-problem', async () => {
        const result = await clearFlag(request.ctx, request.params.id, {
          category: request.body.category,
          reason: request.body.reason,
        });
        return result.openEscalations > 0 ? 'cleared_safeguarding' : 'cleared';
      }),
  );
};
