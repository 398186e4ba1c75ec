import { inArray } from 'drizzle-orm';
import { z } from 'zod';
import { users } from '../../../../db/schema/index.js';
import { decideAccount } from '../../../accounts/decide-account.js';
import { listAccountApprovals } from '../../../accounts/list-account-approvals.js';
import { approveResponse } from '../../../comments/approve-response.js';
import { listPendingResponses } from '../../../comments/list-pending-responses.js';
import { rejectResponse } from '../../../comments/reject-response.js';
import { listPendingActions } from '../../../moderation/list-pending-actions.js';
import { ApprovalsPage } from '../../../web/pages/approvals-page.js';
import { formBody, formField, pageRoutes, renderPage, runForm } from '../../page-kit.js';

const idParams = z.object({ id: z.uuid() });

/** Approvals: account proposals and reviews, replies waiting for a senior leader, two-admin actions. */
export const approvalsPageRoutes = pageRoutes(async (app) => {
  const { commentEffects } = app.deps;

  app.get('/approvals', async (request, reply) =>
    renderPage(request, reply, async (base) => {
      const [approvals, { responses }, confirmations] = await Promise.all([
        listAccountApprovals(request.ctx),
        listPendingResponses(request.ctx),
        listPendingActions(request.ctx),
      ]);
      const proposerIds = [
        ...new Set(approvals.awaitingDecision.map((a) => a.proposedBy).filter((id): id is string => !!id)),
      ];
      const names = new Map(
        proposerIds.length
          ? (
              await app.db
                .select({ id: users.id, name: users.displayName })
                .from(users)
                .where(inArray(users.id, proposerIds))
            ).map((u) => [u.id, u.name])
          : [],
      );
      return ApprovalsPage({
        ...base,
        userId: request.principal!.userId,
        approvals,
        replies: responses,
        repliesActionable: true,
        confirmations,
        names,
      });
    }),
  );

  app.post(
    '/approvals/accounts/:id/decision',
    {
      schema: {
        params: idParams,
        body: formBody({
          decision: formField.choice(['approve', 'reject']),
          note: formField.text(4_000),
          reviewMonths: formField.optionalInt(0, 1_000),
        }),
      },
    },
    async (request, reply) =>
      runForm(reply, '/approvals', async () => {
        const { decision, note, reviewMonths } = request.body;
        const view = await decideAccount(request.ctx, {
          accountId: request.params.id,
          decision,
          note,
          ...(reviewMonths !== undefined ? { reviewMonths } : {}),
        });
        return `${view.label} ${decision === 'approve' ? 'approved' : 'rejected'}`;
      }),
  );

  app.post(
    '/approvals/replies/:id/approve',
    { schema: { params: idParams, body: formBody({}) } },
    async (request, reply) =>
      runForm(reply, '/approvals', async () => {
        const result = await approveResponse(request.ctx, request.params.id, {}, commentEffects);
        return result.responseStatus === 'sending' ? 'Reply approved: it is being sent' : 'Reply approved';
      }),
  );

  app.post(
    '/approvals/replies/:id/reject',
    { schema: { params: idParams, body: formBody({ reason: formField.text(2_000) }) } },
    async (request, reply) =>
      runForm(reply, '/approvals', async () => {
        await rejectResponse(request.ctx, request.params.id, { reason: request.body.reason });
        return 'Reply rejected: its author has been told';
      }),
  );
});
