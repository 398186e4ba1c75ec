import { z } from 'zod';
import { connectUnavailable } from '../../../../config/load-config.js';
import { activateAccount } from '../../../accounts/activate-account.js';
import { addAccountAdmin } from '../../../accounts/add-account-admin.js';
import { connectableBlueskyAccount, connectBluesky } from '../../../accounts/connect-bluesky.js';
import { choosePage, describePagePicker } from '../../../accounts/connect-facebook.js';
import { connectOutcome, connectOutcomeCode } from '../../../accounts/connect-outcome.js';
import { getAccount } from '../../../accounts/get-account.js';
import { listAccounts } from '../../../accounts/list-accounts.js';
import { listCoverageGaps } from '../../../accounts/list-coverage-gaps.js';
import { listQuarantinedItems } from '../../../accounts/list-quarantined-items.js';
import { listSchoolStaff } from '../../../accounts/list-school-staff.js';
import { proposeAccount } from '../../../accounts/propose-account.js';
import { removeAccountAdmin } from '../../../accounts/remove-account-admin.js';
import { retireAccount } from '../../../accounts/retire-account.js';
import { reviewAccount } from '../../../accounts/review-account.js';
import { startAccountConnect } from '../../../accounts/start-account-connect.js';
import { suspendAccount } from '../../../accounts/suspend-account.js';
import { updateAccountSettings } from '../../../accounts/update-account-settings.js';
import { hasRole } from '../../../core/principal.js';
import { pollIntervalInUse } from '../../../ingestion/webhook-health.js';
import { AccountPage } from '../../../web/pages/account-page.js';
import { AccountsPage } from '../../../web/pages/accounts-page.js';
import { BlueskyConnectPage } from '../../../web/pages/bluesky-connect-page.js';
import { PagePickerPage } from '../../../web/pages/page-picker-page.js';
import { formBody, formField, pageRoutes, renderPage, runForm } from '../../page-kit.js';

const idParams = z.object({ id: z.uuid() });
const adminParams = z.object({ id: z.uuid(), userId: z.uuid() });
const noteBody = formBody({ note: formField.text(4_000) });
const accountPath = (id: string) => `/accounts/${id}`;

/** Accounts: the list, proposing one, and each account's page with its settings, admins and life cycle. */
export const accountsPageRoutes = pageRoutes(async (app) => {
  const { polling, xConnect } = app.deps;

  app.get('/accounts', async (request, reply) =>
    renderPage(request, reply, async (base) => {
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
        params: idParams,
        querystring: z.object({
          connect_error: z.string().max(100).optional(),
          connected: z.enum(['new', 'again']).optional(),
        }),
      },
    },
    async (request, reply) =>
      renderPage(request, reply, async (base) => {
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
        const { pollIntervals } = app.deps;
        const pollInterval = pollIntervalInUse(
          account,
          pollIntervals.settings,
          await pollIntervals.health.read().catch(() => null),
        );
        const { connect_error: connectError, connected } = request.query;
        const code = connected ?? connectOutcomeCode.catch('unknown').parse(connectError);
        const message =
          connected || connectError
            ? await connectOutcome(request.ctx, { accountId: account.id, code })
            : null;
        return AccountPage({
          ...base,
          flash:
            base.flash ??
            (message
              ? {
                  kind: message.kind === 'success' ? 'ok' : 'error',
                  text: message.nextStep ? `${message.text} ${message.nextStep}` : message.text,
                }
              : null),
          account,
          pollInterval,
          schoolName: staff?.schoolName ?? '',
          gaps,
          quarantined,
          candidates: (staff?.people ?? []).filter((p) => !adminIds.has(p.userId)),
          may: { manage: isAdmin || senior, connect: isAdmin, seniorLeader: senior },
          connectUnavailable: connectUnavailable(app.config, account.platform),
        });
      }),
  );

  app.post(
    '/accounts',
    {
      schema: {
        body: formBody({
          schoolId: formField.text(100),
          platform: formField.choice(['x']),
          handle: formField.text(200),
          purpose: formField.text(2_000),
          audience: formField.text(2_000),
          admins: formField.list(50, 100),
          confirmTraining: formField.checkbox(),
        }),
      },
    },
    async (request, reply) =>
      runForm(reply, '/accounts', async () => {
        const { confirmTraining, admins, ...rest } = request.body;
        const view = await proposeAccount(request.ctx, {
          schoolId: rest.schoolId,
          platform: rest.platform,
          handle: rest.handle,
          purpose: rest.purpose,
          audience: rest.audience,
          admins: admins.map((userId) => ({
            userId,
            // The verb refuses an admin without both confirmations (its message says so).
            trainingCompleted: confirmTraining as true,
            acceptableUseSigned: confirmTraining as true,
          })),
        });
        return {
          redirect: accountPath(view.id),
          flash: { kind: 'ok', text: `${view.label} proposed: a senior leader will decide on it` },
        };
      }),
  );

  app.post(
    '/accounts/:id/settings',
    {
      schema: {
        params: idParams,
        body: formBody({
          offensiveThreshold: formField.optionalText(20),
          autoHide: formField.checkbox(),
          twoAdminHide: formField.checkbox(),
          conversationBackstop: formField.checkbox(),
          pollIntervalSeconds: formField.optionalInt(0, 10_000_000),
          proposalExpiryHours: formField.optionalInt(0, 10_000_000),
          purpose: formField.optionalText(2_000),
          audience: formField.optionalText(2_000),
        }),
      },
    },
    async (request, reply) => {
      const id = request.params.id;
      const b = request.body;
      return runForm(reply, accountPath(id), async () => {
        await updateAccountSettings(
          request.ctx,
          {
            accountId: id,
            settings: {
              // The verb checks the threshold against its levels and names the field if wrong.
              ...(b.offensiveThreshold ? { offensiveThreshold: b.offensiveThreshold as 'medium' } : {}),
              autoHide: b.autoHide,
              twoAdminHide: b.twoAdminHide,
              conversationBackstop: b.conversationBackstop,
              ...(b.pollIntervalSeconds !== undefined ? { pollIntervalSeconds: b.pollIntervalSeconds } : {}),
              ...(b.proposalExpiryHours !== undefined ? { proposalExpiryHours: b.proposalExpiryHours } : {}),
            },
            ...(b.purpose ? { purpose: b.purpose } : {}),
            ...(b.audience ? { audience: b.audience } : {}),
          },
          polling,
        );
        return 'Settings saved';
      });
    },
  );

  app.post(
    '/accounts/:id/admins',
    {
      schema: {
        params: idParams,
        body: formBody({
          userId: formField.text(100),
          trainingCompleted: formField.checkbox(),
          acceptableUseSigned: formField.checkbox(),
        }),
      },
    },
    async (request, reply) => {
      const id = request.params.id;
      const { userId, trainingCompleted, acceptableUseSigned } = request.body;
      return runForm(reply, accountPath(id), async () => {
        await addAccountAdmin(request.ctx, {
          accountId: id,
          userId,
          trainingCompleted: trainingCompleted as true,
          acceptableUseSigned: acceptableUseSigned as true,
        });
        return 'Admin added';
      });
    },
  );

  app.post(
    '/accounts/:id/admins/:userId/remove',
    { schema: { params: adminParams, body: formBody({ note: formField.optionalText(4_000) }) } },
    async (request, reply) => {
      const { id, userId } = request.params;
      const { note } = request.body;
      return runForm(reply, accountPath(id), async () => {
        await removeAccountAdmin(request.ctx, { accountId: id, userId, ...(note ? { note } : {}) });
        return 'Admin removed';
      });
    },
  );

  app.post(
    '/accounts/:id/connect',
    { schema: { params: idParams, body: formBody({}) } },
    async (request, reply) => {
      const id = request.params.id;
      return runForm(reply, accountPath(id), async () => {
        const { authorizeUrl } = await startAccountConnect(
          request.ctx,
          { accountId: id },
          { x: xConnect, facebook: app.deps.facebookConnect },
        );
        return {
          redirect: accountPath(id),
          flash: {
            kind: 'ok',
            text: 'Sign in to the platform as the approved account to finish connecting.',
            link: authorizeUrl,
          },
        };
      });
    },
  );

  app.get(
    '/accounts/:id/connect/facebook',
    { schema: { params: idParams, querystring: z.object({ picker: z.string().max(100) }) } },
    async (request, reply) =>
      renderPage(request, reply, async (base) => {
        const account = await getAccount(request.ctx, { accountId: request.params.id });
        const picker = await describePagePicker(
          request.ctx,
          { accountId: account.id, pickerId: request.query.picker },
          app.deps.facebookConnect,
        );
        return PagePickerPage({
          ...base,
          picker,
          pickerId: request.query.picker,
          accountLabel: account.label,
        });
      }),
  );

  app.post(
    '/accounts/:id/connect/facebook',
    {
      schema: {
        params: idParams,
        body: formBody({ picker: formField.text(100), choice: formField.text(32) }),
      },
    },
    async (request, reply) => {
      const id = request.params.id;
      const result = await choosePage(
        request.ctx,
        { accountId: id, pickerId: request.body.picker, choice: request.body.choice },
        app.deps.facebookConnect,
      );
      return reply.redirect(
        result.connected
          ? `${accountPath(id)}?connected=${result.reconnected ? 'again' : 'new'}`
          : `${accountPath(id)}?connect_error=${result.reason ?? 'unknown'}`,
      );
    },
  );

  // Bluesky: the handle and an app password, typed here (Bluesky has no consent page to go to).
  app.get('/accounts/:id/connect/bluesky', { schema: { params: idParams } }, async (request, reply) =>
    renderPage(request, reply, async (base) => {
      await connectableBlueskyAccount(request.ctx, request.params.id);
      const account = await getAccount(request.ctx, { accountId: request.params.id });
      return BlueskyConnectPage({
        ...base,
        account: { id: account.id, label: account.label, handle: account.handle },
      });
    }),
  );

  app.post(
    '/accounts/:id/connect/bluesky',
    {
      schema: {
        params: idParams,
        body: formBody({ handle: formField.text(300), appPassword: formField.text(200) }),
      },
    },
    async (request, reply) => {
      const id = request.params.id;
      return runForm(reply, `${accountPath(id)}/connect/bluesky`, async () => {
        const result = await connectBluesky(
          request.ctx,
          { accountId: id, handle: request.body.handle, appPassword: request.body.appPassword },
          app.deps.blueskyConnect,
        );
        return {
          redirect: result.connected
            ? `${accountPath(id)}?connected=${result.reconnected ? 'again' : 'new'}`
            : `${accountPath(id)}?connect_error=${result.reason}`,
        };
      });
    },
  );

  app.post(
    '/accounts/:id/activate',
    { schema: { params: idParams, body: formBody({}) } },
    async (request, reply) => {
      const id = request.params.id;
      return runForm(reply, accountPath(id), async () => {
        const { account } = await activateAccount(request.ctx, { accountId: id }, polling);
        return `${account.label} is active: monitoring has started`;
      });
    },
  );

  app.post(
    '/accounts/:id/suspend',
    { schema: { params: idParams, body: noteBody } },
    async (request, reply) => {
      const id = request.params.id;
      return runForm(reply, accountPath(id), async () => {
        const { account } = await suspendAccount(
          request.ctx,
          { accountId: id, note: request.body.note },
          polling,
        );
        return `${account.label} suspended: polling has stopped`;
      });
    },
  );

  app.post(
    '/accounts/:id/retire',
    { schema: { params: idParams, body: noteBody } },
    async (request, reply) => {
      const id = request.params.id;
      return runForm(reply, accountPath(id), async () => {
        const { account } = await retireAccount(
          request.ctx,
          { accountId: id, note: request.body.note },
          polling,
        );
        return `${account.label} retired; its history is kept`;
      });
    },
  );

  app.post(
    '/accounts/:id/review',
    {
      schema: {
        params: idParams,
        body: formBody({
          outcome: formField.choice(['reapprove', 'suspend']),
          note: formField.text(4_000),
          reviewMonths: formField.optionalInt(0, 1_000),
          returnTo: formField.optionalText(20),
        }),
      },
    },
    async (request, reply) => {
      const id = request.params.id;
      const { outcome, note, reviewMonths, returnTo } = request.body;
      const back = returnTo === '/approvals' ? '/approvals' : accountPath(id);
      return runForm(reply, back, async () => {
        const { account } = await reviewAccount(
          request.ctx,
          { accountId: id, outcome, note, ...(reviewMonths !== undefined ? { reviewMonths } : {}) },
          polling,
        );
        return outcome === 'suspend'
          ? `${account.label} suspended after review`
          : `${account.label} re-approved`;
      });
    },
  );
});
