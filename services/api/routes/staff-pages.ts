import { inArray } from 'drizzle-orm';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { DateTime } from 'luxon';
import { z } from 'zod';
import { users } from '../../../db/schema/index.js';
import { queueActionDispatch } from '../../../workers/processors/execute-action.js';
import type { AccountPolling } from '../../accounts/account-polling.js';
import { activateAccount } from '../../accounts/activate-account.js';
import { addAccountAdmin } from '../../accounts/add-account-admin.js';
import { redisConnectStateStore } from '../../accounts/connect-state-store.js';
import { decideAccount } from '../../accounts/decide-account.js';
import { getAccount } from '../../accounts/get-account.js';
import { listAccountApprovals } from '../../accounts/list-account-approvals.js';
import { listAccounts } from '../../accounts/list-accounts.js';
import { listCoverageGaps } from '../../accounts/list-coverage-gaps.js';
import { listQuarantinedItems } from '../../accounts/list-quarantined-items.js';
import { listSchoolStaff } from '../../accounts/list-school-staff.js';
import { proposeAccount } from '../../accounts/propose-account.js';
import { removeAccountAdmin } from '../../accounts/remove-account-admin.js';
import { retireAccount } from '../../accounts/retire-account.js';
import { reviewAccount } from '../../accounts/review-account.js';
import { startConnect } from '../../accounts/start-connect.js';
import { suspendAccount } from '../../accounts/suspend-account.js';
import { updateAccountSettings } from '../../accounts/update-account-settings.js';
import { approveResponse } from '../../comments/approve-response.js';
import { queueCommentEffects } from '../../comments/comment-effects.js';
import { listPendingResponses } from '../../comments/list-pending-responses.js';
import { rejectResponse } from '../../comments/reject-response.js';
import { hasRole } from '../../core/principal.js';
import { ServiceError } from '../../core/service-error.js';
import { storableIsoDate } from '../../core/storable-date.js';
import { deadlineReport } from '../../deadlines/deadline-report.js';
import { deadlineTrend } from '../../deadlines/deadline-trend.js';
import { confirmAction } from '../../moderation/confirm-action.js';
import { listSafeguardingEscalations } from '../../moderation/list-escalations.js';
import { listFlags } from '../../moderation/list-flags.js';
import { listPendingActions } from '../../moderation/list-pending-actions.js';
import { rejectAction } from '../../moderation/reject-action.js';
import { resolveEscalation } from '../../moderation/resolve-escalation.js';
import { createXOAuth } from '../../platforms/x/x-oauth.js';
import { AccountPage } from '../../web/pages/account-page.js';
import { AccountsPage } from '../../web/pages/accounts-page.js';
import { ApprovalsPage } from '../../web/pages/approvals-page.js';
import { DeadlinesPage } from '../../web/pages/deadlines-page.js';
import { FlagsPage } from '../../web/pages/flags-page.js';
import { SafeguardingPage } from '../../web/pages/safeguarding-page.js';
import { checked, type FormBody, field, fields, optionalInt, optionalText, pageKit } from '../page-kit.js';

export { FLASH_COOKIE } from '../page-kit.js';

const idParams = z.object({ id: z.uuid() });
const adminParams = z.object({ id: z.uuid(), userId: z.uuid() });
type Body = FormBody;
const hidden = { hide: true } as const;

/**
 * The staff screens beyond the inbox: Flags, Safeguarding, Approvals, Accounts and Deadlines.
 * Pages render on the server; every form posts with the session's CSRF token and answers 303 back
 * to its page with a message (a signed, short-lived cookie), never changing anything on GET.
 * A refusal renders an error page: 403 for a role that may not, 404 for another school's item.
 */
export const staffPageRoutes: FastifyPluginAsyncZod = async (app) => {
  const { config } = app;
  const oauth = createXOAuth({
    clientId: config.x.clientId,
    ...(config.x.clientSecret ? { clientSecret: config.x.clientSecret } : {}),
    ...(config.x.apiBaseUrl ? { apiBaseUrl: config.x.apiBaseUrl } : {}),
  });
  app.addHook('onClose', async () => oauth.close());
  const connect = {
    oauth,
    states: redisConnectStateStore(app.redis, config.redisPrefix),
    redirectUri: `${config.publicUrl}/api/accounts/connect/callback`,
  };
  const polling: AccountPolling = {
    scheduler: app.pollScheduler,
    defaultIntervalSeconds: config.pollIntervalSeconds,
  };
  const dispatch = queueActionDispatch(app.queues);
  const replyEffects = { ...queueCommentEffects(app.queues), classifiers: app.classifiers };

  const { page, form } = pageKit(app);

  // ---- Flags -----------------------------------------------------------------------------------
  app.get('/flags', { schema: hidden }, async (request, reply) =>
    page(request, reply, async (base) => FlagsPage({ ...base, flags: await listFlags(request.ctx) })),
  );

  const returnTo = (body: Body) => (field(body, 'returnTo') === '/approvals' ? '/approvals' : '/flags');

  app.post(
    '/web/actions/:id/confirm',
    { schema: { ...hidden, params: idParams } },
    async (request, reply) => {
      const body = request.body as Body;
      return form(reply, returnTo(body), async () => {
        const reason = optionalText(body, 'breakGlassReason');
        const { action } = await confirmAction(
          request.ctx,
          { actionId: request.params.id, ...(reason ? { breakGlassReason: reason } : {}) },
          dispatch,
        );
        return action.status === 'expired'
          ? `The ${action.kind} had expired before it was confirmed`
          : `Confirmed: the ${action.kind} is ${action.status === 'queued' ? 'being carried out' : action.status}`;
      });
    },
  );

  app.post('/web/actions/:id/reject', { schema: { ...hidden, params: idParams } }, async (request, reply) => {
    const body = request.body as Body;
    return form(reply, returnTo(body), async () => {
      const { action } = await rejectAction(request.ctx, {
        actionId: request.params.id,
        reason: field(body, 'reason') ?? '',
      });
      return `Rejected the proposed ${action.kind}`;
    });
  });

  // ---- Safeguarding ----------------------------------------------------------------------------
  app.get('/safeguarding', { schema: hidden }, async (request, reply) =>
    page(request, reply, async (base) =>
      SafeguardingPage({ ...base, escalations: await listSafeguardingEscalations(request.ctx) }),
    ),
  );

  app.post(
    '/safeguarding/:id/resolve',
    { schema: { ...hidden, params: idParams } },
    async (request, reply) => {
      const body = request.body as Body;
      return form(reply, '/safeguarding', async () => {
        const outcome = field(body, 'outcome') === 'close' ? 'close' : 'acknowledge';
        await resolveEscalation(request.ctx, {
          escalationId: request.params.id,
          outcome,
          note: field(body, 'note') ?? '',
        });
        return outcome === 'close' ? 'Escalation closed' : 'Escalation acknowledged';
      });
    },
  );

  // ---- Approvals -------------------------------------------------------------------------------
  app.get('/approvals', { schema: hidden }, async (request, reply) =>
    page(request, reply, async (base) => {
      const approvals = await listAccountApprovals(request.ctx);
      const { responses } = await listPendingResponses(request.ctx);
      const confirmations = await listPendingActions(request.ctx);
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
    { schema: { ...hidden, params: idParams } },
    async (request, reply) => {
      const body = request.body as Body;
      return form(reply, '/approvals', async () => {
        const decision = field(body, 'decision') === 'reject' ? 'reject' : 'approve';
        const months = optionalInt(body, 'reviewMonths');
        const view = await decideAccount(request.ctx, {
          accountId: request.params.id,
          decision,
          note: field(body, 'note') ?? '',
          ...(months !== undefined ? { reviewMonths: months } : {}),
        });
        return `${view.label} ${decision === 'approve' ? 'approved' : 'rejected'}`;
      });
    },
  );

  app.post(
    '/approvals/replies/:id/approve',
    { schema: { ...hidden, params: idParams } },
    async (request, reply) =>
      form(reply, '/approvals', async () => {
        const result = await approveResponse(request.ctx, request.params.id, {}, replyEffects);
        return result.responseStatus === 'sending' ? 'Reply approved: it is being sent' : 'Reply approved';
      }),
  );

  app.post(
    '/approvals/replies/:id/reject',
    { schema: { ...hidden, params: idParams } },
    async (request, reply) => {
      const body = request.body as Body;
      return form(reply, '/approvals', async () => {
        await rejectResponse(request.ctx, request.params.id, { reason: field(body, 'reason') ?? '' });
        return 'Reply rejected: its author has been told';
      });
    },
  );

  // ---- Accounts --------------------------------------------------------------------------------
  app.get('/accounts', { schema: hidden }, async (request, reply) =>
    page(request, reply, async (base) => {
      const principal = request.principal!;
      const [accounts, staff, gaps] = await Promise.all([
        listAccounts(request.ctx),
        listSchoolStaff(request.ctx),
        listCoverageGaps(request.ctx),
      ]);
      const gapCounts = new Map<string, number>();
      for (const g of gaps) gapCounts.set(g.accountId, (gapCounts.get(g.accountId) ?? 0) + 1);
      return AccountsPage({
        ...base,
        accounts,
        gapCounts,
        schoolNames: new Map(staff.map((s) => [s.schoolId, s.schoolName])),
        proposeIn: staff.filter((s) =>
          hasRole(principal, s.schoolId, ['comms', 'senior_leader', 'trust_admin']),
        ),
      });
    }),
  );

  app.get(
    '/accounts/:id',
    {
      schema: {
        ...hidden,
        params: idParams,
        querystring: z.object({ connect_error: z.string().max(100).optional() }),
      },
    },
    async (request, reply) =>
      page(request, reply, async (base) => {
        const principal = request.principal!;
        const account = await getAccount(request.ctx, { accountId: request.params.id });
        const gaps = await listCoverageGaps(request.ctx, { accountId: account.id, limit: 50 });
        const staff = (await listSchoolStaff(request.ctx)).find((s) => s.schoolId === account.schoolId);
        const adminIds = new Set(account.admins.map((a) => a.userId));
        const isAdmin = principal.adminOfAccounts.has(account.id);
        const senior = hasRole(principal, account.schoolId, ['senior_leader']);
        const quarantined =
          isAdmin || senior
            ? await listQuarantinedItems(request.ctx, { accountId: account.id, limit: 50 })
            : null;
        const connectError = request.query.connect_error;
        return AccountPage({
          ...base,
          flash:
            base.flash ??
            (connectError
              ? { kind: 'error', text: `The connection was not made (${connectError.replaceAll('_', ' ')})` }
              : null),
          account,
          schoolName: staff?.schoolName ?? '',
          gaps,
          quarantined,
          candidates: (staff?.people ?? []).filter((p) => !adminIds.has(p.userId)),
          may: { manage: isAdmin || senior, connect: isAdmin, seniorLeader: senior },
        });
      }),
  );

  app.post('/accounts', { schema: hidden }, async (request, reply) => {
    const body = request.body as Body;
    return form(reply, '/accounts', async () => {
      const confirmed = checked(body, 'confirmTraining');
      const view = await proposeAccount(request.ctx, {
        schoolId: field(body, 'schoolId') ?? '',
        platform: (field(body, 'platform') ?? 'x') as 'x',
        handle: field(body, 'handle') ?? '',
        purpose: field(body, 'purpose') ?? '',
        audience: field(body, 'audience') ?? '',
        admins: fields(body, 'admins').map((userId) => ({
          userId,
          trainingCompleted: confirmed as true,
          acceptableUseSigned: confirmed as true,
        })),
      });
      return {
        redirect: `/accounts/${view.id}`,
        flash: { kind: 'ok', text: `${view.label} proposed: a senior leader will decide on it` },
      };
    });
  });

  const accountPath = (id: string) => `/accounts/${id}`;

  app.post('/accounts/:id/settings', { schema: { ...hidden, params: idParams } }, async (request, reply) => {
    const body = request.body as Body;
    const id = request.params.id;
    return form(reply, accountPath(id), async () => {
      const threshold = field(body, 'offensiveThreshold');
      const poll = optionalInt(body, 'pollIntervalSeconds');
      const expiry = optionalInt(body, 'proposalExpiryHours');
      const purpose = optionalText(body, 'purpose');
      const audience = optionalText(body, 'audience');
      await updateAccountSettings(
        request.ctx,
        {
          accountId: id,
          settings: {
            ...(threshold ? { offensiveThreshold: threshold as 'medium' } : {}),
            autoHide: checked(body, 'autoHide'),
            twoAdminHide: checked(body, 'twoAdminHide'),
            conversationBackstop: checked(body, 'conversationBackstop'),
            ...(poll !== undefined ? { pollIntervalSeconds: poll } : {}),
            ...(expiry !== undefined ? { proposalExpiryHours: expiry } : {}),
          },
          ...(purpose ? { purpose } : {}),
          ...(audience ? { audience } : {}),
        },
        polling,
      );
      return 'Settings saved';
    });
  });

  app.post('/accounts/:id/admins', { schema: { ...hidden, params: idParams } }, async (request, reply) => {
    const body = request.body as Body;
    const id = request.params.id;
    return form(reply, accountPath(id), async () => {
      await addAccountAdmin(request.ctx, {
        accountId: id,
        userId: field(body, 'userId') ?? '',
        trainingCompleted: checked(body, 'trainingCompleted') as true,
        acceptableUseSigned: checked(body, 'acceptableUseSigned') as true,
      });
      return 'Admin added';
    });
  });

  app.post(
    '/accounts/:id/admins/:userId/remove',
    { schema: { ...hidden, params: adminParams } },
    async (request, reply) => {
      const body = request.body as Body;
      const { id, userId } = request.params;
      return form(reply, accountPath(id), async () => {
        const note = optionalText(body, 'note');
        await removeAccountAdmin(request.ctx, { accountId: id, userId, ...(note ? { note } : {}) });
        return 'Admin removed';
      });
    },
  );

  app.post('/accounts/:id/connect', { schema: { ...hidden, params: idParams } }, async (request, reply) => {
    const id = request.params.id;
    return form(reply, accountPath(id), async () => {
      const { authorizeUrl } = await startConnect(request.ctx, { accountId: id }, connect);
      return {
        redirect: accountPath(id),
        flash: {
          kind: 'ok',
          text: 'Sign in to the platform as the approved account to finish connecting.',
          link: authorizeUrl,
        },
      };
    });
  });

  app.post('/accounts/:id/activate', { schema: { ...hidden, params: idParams } }, async (request, reply) => {
    const id = request.params.id;
    return form(reply, accountPath(id), async () => {
      const { account } = await activateAccount(request.ctx, { accountId: id }, polling);
      return `${account.label} is active: monitoring has started`;
    });
  });

  app.post('/accounts/:id/suspend', { schema: { ...hidden, params: idParams } }, async (request, reply) => {
    const body = request.body as Body;
    const id = request.params.id;
    return form(reply, accountPath(id), async () => {
      const { account } = await suspendAccount(
        request.ctx,
        { accountId: id, note: field(body, 'note') ?? '' },
        polling,
      );
      return `${account.label} suspended: polling has stopped`;
    });
  });

  app.post('/accounts/:id/retire', { schema: { ...hidden, params: idParams } }, async (request, reply) => {
    const body = request.body as Body;
    const id = request.params.id;
    return form(reply, accountPath(id), async () => {
      const { account } = await retireAccount(
        request.ctx,
        { accountId: id, note: field(body, 'note') ?? '' },
        polling,
      );
      return `${account.label} retired; its history is kept`;
    });
  });

  app.post('/accounts/:id/review', { schema: { ...hidden, params: idParams } }, async (request, reply) => {
    const body = request.body as Body;
    const id = request.params.id;
    const back = field(body, 'returnTo') === '/approvals' ? '/approvals' : accountPath(id);
    return form(reply, back, async () => {
      const outcome = field(body, 'outcome') === 'suspend' ? 'suspend' : 'reapprove';
      const months = optionalInt(body, 'reviewMonths');
      const { account } = await reviewAccount(
        request.ctx,
        {
          accountId: id,
          outcome,
          note: field(body, 'note') ?? '',
          ...(months !== undefined ? { reviewMonths: months } : {}),
        },
        polling,
      );
      return outcome === 'suspend'
        ? `${account.label} suspended after review`
        : `${account.label} re-approved`;
    });
  });

  // ---- Deadlines -------------------------------------------------------------------------------
  app.get(
    '/deadlines',
    {
      schema: {
        ...hidden,
        querystring: z.object({
          schoolId: z.uuid().optional(),
          from: storableIsoDate.optional(),
          to: storableIsoDate.optional(),
        }),
      },
    },
    async (request, reply) =>
      page(request, reply, async (base) => {
        const principal = request.principal!;
        const reportRoles = ['senior_leader', 'comms', 'trust_admin', 'auditor'] as const;
        const staff = await listSchoolStaff(request.ctx);
        const schools = staff
          .filter((s) => hasRole(principal, s.schoolId, reportRoles))
          .map((s) => ({ id: s.schoolId, name: s.schoolName }));
        const schoolId = request.query.schoolId ?? schools[0]?.id;
        if (!schoolId) {
          throw new ServiceError(
            'FORBIDDEN',
            'Only senior leader, comms, trust admin or auditor staff may read deadline reports',
          );
        }
        const to = request.query.to ?? DateTime.utc().toISODate();
        const from = request.query.from ?? DateTime.fromISO(to).minus({ days: 55 }).toISODate() ?? to;
        const report = await deadlineReport(request.ctx, schoolId, { from, to });
        const trend = await deadlineTrend(request.ctx, schoolId, { from, to });
        return DeadlinesPage({ ...base, schools, report, trend });
      }),
  );
};
