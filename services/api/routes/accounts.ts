import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { accountViewSchema } from '../../accounts/account-view.js';
import { acknowledgePolicy, acknowledgePolicyInput } from '../../accounts/acknowledge-policy.js';
import { activateAccount, activateAccountInput } from '../../accounts/activate-account.js';
import { addAccountAdmin, addAccountAdminInput } from '../../accounts/add-account-admin.js';
import { completeConnect, completeConnectInput } from '../../accounts/complete-connect.js';
import { facebookCallbackInput, receiveFacebookLogin } from '../../accounts/connect-facebook.js';
import { decideAccount, decideAccountInput } from '../../accounts/decide-account.js';
import { getAccount } from '../../accounts/get-account.js';
import { getPolicyStatus } from '../../accounts/get-policy-status.js';
import { handOverAdmin, handOverAdminInput } from '../../accounts/hand-over-admin.js';
import { listAccountApprovals } from '../../accounts/list-account-approvals.js';
import { listAccounts, listAccountsInput } from '../../accounts/list-accounts.js';
import {
  listQuarantinedItems,
  listQuarantinedItemsInput,
  quarantinedItemViewSchema,
} from '../../accounts/list-quarantined-items.js';
import { proposeAccount, proposeAccountInput } from '../../accounts/propose-account.js';
import { removeAccountAdmin, removeAccountAdminInput } from '../../accounts/remove-account-admin.js';
import { retireAccount, retireAccountInput } from '../../accounts/retire-account.js';
import { reviewAccount, reviewAccountInput } from '../../accounts/review-account.js';
import { setPolicyVersion, setPolicyVersionInput } from '../../accounts/set-policy-version.js';
import { startAccountConnect } from '../../accounts/start-account-connect.js';
import { suspendAccount, suspendAccountInput } from '../../accounts/suspend-account.js';
import { updateAccountSettings, updateAccountSettingsInput } from '../../accounts/update-account-settings.js';
import { ServiceError } from '../../core/service-error.js';

const accountParams = z.object({ accountId: z.uuid() });
const adminParams = z.object({ accountId: z.uuid(), userId: z.uuid() });
const schoolParams = z.object({ schoolId: z.uuid() });
const pollingOutcome = z.enum(['scheduled', 'pending']);
const withPolling = z.object({ account: accountViewSchema, polling: pollingOutcome });
const withOptionalPolling = z.object({ account: accountViewSchema, polling: pollingOutcome.nullable() });
const tags = ['accounts'];

/** Official account governance (P4, P5): propose, approve, connect, activate, review. */
export const accountRoutes: FastifyPluginAsyncZod = async (app) => {
  const { xConnect: connect, polling } = app.deps;

  app.get(
    '/api/accounts',
    {
      schema: {
        tags,
        summary: "The official accounts of the caller's schools, with governance status",
        querystring: listAccountsInput,
        response: { 200: z.object({ accounts: z.array(accountViewSchema) }) },
      },
    },
    async (request) => ({ accounts: await listAccounts(request.ctx, request.query) }),
  );

  app.post(
    '/api/accounts',
    {
      schema: {
        tags,
        summary: 'Propose an official account (comms staff and above)',
        body: proposeAccountInput,
        response: { 201: accountViewSchema },
      },
    },
    async (request, reply) => reply.status(201).send(await proposeAccount(request.ctx, request.body)),
  );

  app.get(
    '/api/accounts/approvals',
    {
      schema: {
        tags,
        summary: "Senior leaders' approvals view: proposals, reviews due or overdue, accounts at risk",
        response: {
          200: z.object({
            awaitingDecision: z.array(accountViewSchema),
            reviewsDue: z.array(accountViewSchema),
            atRisk: z.array(accountViewSchema),
          }),
        },
      },
    },
    async (request) => listAccountApprovals(request.ctx),
  );

  app.get(
    '/api/accounts/connect/callback',
    {
      schema: {
        tags,
        summary: 'OAuth 2.0 callback: stores the tokens if the approved handle signed in, then redirects',
        querystring: completeConnectInput.extend({ error_description: z.string().max(2_000).optional() }),
        response: { 302: z.null().describe('to /accounts/:id, with ?connect_error=… when refused') },
      },
    },
    async (request, reply) => {
      const { state, code, error } = request.query;
      try {
        const result = await completeConnect(
          request.ctx,
          { state, ...(code ? { code } : {}), ...(error ? { error } : {}) },
          connect,
        );
        const target = `/accounts/${result.accountId}`;
        return reply.redirect(
          result.connected
            ? `${target}?connected=${result.reconnected ? 'again' : 'new'}`
            : `${target}?connect_error=${result.reason}`,
        );
      } catch (failure) {
        if (!(failure instanceof ServiceError)) throw failure;
        const accountId = failure.details?.accountId;
        const where = typeof accountId === 'string' ? `/accounts/${accountId}` : '/accounts';
        return reply.redirect(`${where}?connect_error=${failure.code.toLowerCase()}`);
      }
    },
  );

  app.get(
    '/api/accounts/connect/facebook/callback',
    {
      schema: {
        tags,
        summary:
          'Facebook Login callback: lists the Pages the person administers, then redirects to the Page picker',
        querystring: facebookCallbackInput.extend({
          error_description: z.string().max(2_000).optional(),
          error_reason: z.string().max(200).optional(),
          error_code: z.string().max(20).optional(),
        }),
        response: {
          302: z
            .null()
            .describe('to /accounts/:id/connect/facebook?picker=…, or /accounts/:id?connect_error=…'),
        },
      },
    },
    async (request, reply) => {
      const { state, code, error } = request.query;
      try {
        const result = await receiveFacebookLogin(
          request.ctx,
          { state, ...(code ? { code } : {}), ...(error ? { error } : {}) },
          app.deps.facebookConnect,
        );
        return reply.redirect(`/accounts/${result.accountId}/connect/facebook?picker=${result.pickerId}`);
      } catch (failure) {
        if (!(failure instanceof ServiceError)) throw failure;
        const accountId = failure.details?.accountId;
        const where = typeof accountId === 'string' ? `/accounts/${accountId}` : '/accounts';
        return reply.redirect(`${where}?connect_error=${failure.code.toLowerCase()}`);
      }
    },
  );

  app.get(
    '/api/accounts/:accountId',
    {
      schema: {
        tags,
        summary: 'One account with its admins and governance status',
        params: accountParams,
        response: { 200: accountViewSchema },
      },
    },
    async (request) => getAccount(request.ctx, request.params),
  );

  app.get(
    '/api/accounts/:accountId/quarantined-items',
    {
      schema: {
        tags,
        summary:
          "Comments a poll could not read, kept as the platform sent them (the account's admins, senior leaders)",
        params: accountParams,
        querystring: listQuarantinedItemsInput.omit({ accountId: true }),
        response: { 200: z.object({ items: z.array(quarantinedItemViewSchema) }) },
      },
    },
    async (request) => ({
      items: await listQuarantinedItems(request.ctx, { ...request.query, ...request.params }),
    }),
  );

  app.post(
    '/api/accounts/:accountId/decision',
    {
      schema: {
        tags,
        summary: 'Approve (with a review date) or reject a proposal (senior leaders, not the proposer)',
        params: accountParams,
        body: decideAccountInput.omit({ accountId: true }),
        response: { 200: accountViewSchema },
      },
    },
    async (request) => decideAccount(request.ctx, { ...request.body, ...request.params }),
  );

  app.post(
    '/api/accounts/:accountId/connect',
    {
      schema: {
        tags,
        summary:
          "Start connecting (the account's admins): OAuth 2.0 with PKCE on X, Facebook Login on Facebook and Instagram; send the browser to authorizeUrl",
        params: accountParams,
        response: { 200: z.object({ authorizeUrl: z.string() }) },
      },
    },
    async (request) =>
      startAccountConnect(request.ctx, request.params, { x: connect, facebook: app.deps.facebookConnect }),
  );

  app.post(
    '/api/accounts/:accountId/activate',
    {
      schema: {
        tags,
        summary: 'Activate a connected or suspended account and start polling (admins, senior leaders)',
        params: accountParams,
        body: activateAccountInput.omit({ accountId: true }).nullish(),
        response: { 200: withPolling },
      },
    },
    async (request) => activateAccount(request.ctx, { ...request.body, ...request.params }, polling),
  );

  app.post(
    '/api/accounts/:accountId/suspend',
    {
      schema: {
        tags,
        summary: 'Suspend an active account and stop polling (admins, senior leaders)',
        params: accountParams,
        body: suspendAccountInput.omit({ accountId: true }),
        response: { 200: withPolling },
      },
    },
    async (request) => suspendAccount(request.ctx, { ...request.body, ...request.params }, polling),
  );

  app.post(
    '/api/accounts/:accountId/retire',
    {
      schema: {
        tags,
        summary: 'Retire an account for good, keeping its history (senior leaders)',
        params: accountParams,
        body: retireAccountInput.omit({ accountId: true }),
        response: { 200: withPolling },
      },
    },
    async (request) => retireAccount(request.ctx, { ...request.body, ...request.params }, polling),
  );

  app.post(
    '/api/accounts/:accountId/review',
    {
      schema: {
        tags,
        summary: 'Review an approval: re-approve until a new review date, or suspend (senior leaders)',
        params: accountParams,
        body: reviewAccountInput.omit({ accountId: true }),
        response: { 200: withOptionalPolling },
      },
    },
    async (request) => reviewAccount(request.ctx, { ...request.body, ...request.params }, polling),
  );

  app.patch(
    '/api/accounts/:accountId/settings',
    {
      schema: {
        tags,
        summary: 'Change moderation settings, purpose or audience (admins, senior leaders)',
        params: accountParams,
        body: updateAccountSettingsInput.omit({ accountId: true }),
        response: { 200: withOptionalPolling },
      },
    },
    async (request) => updateAccountSettings(request.ctx, { ...request.body, ...request.params }, polling),
  );

  app.post(
    '/api/accounts/:accountId/admins',
    {
      schema: {
        tags,
        summary: 'Add a trained admin (admins, senior leaders)',
        params: accountParams,
        body: addAccountAdminInput.omit({ accountId: true }),
        response: { 200: accountViewSchema },
      },
    },
    async (request) => addAccountAdmin(request.ctx, { ...request.body, ...request.params }),
  );

  app.delete(
    '/api/accounts/:accountId/admins/:userId',
    {
      schema: {
        tags,
        summary: 'Remove an admin; refused if an active account would keep fewer than two',
        params: adminParams,
        body: removeAccountAdminInput.pick({ note: true }).nullish(),
        response: { 200: accountViewSchema },
      },
    },
    async (request) => removeAccountAdmin(request.ctx, { ...request.body, ...request.params }),
  );

  app.post(
    '/api/accounts/:accountId/admins/hand-over',
    {
      schema: {
        tags,
        summary: "Hand one admin's role to a trained colleague in one step (admins, senior leaders)",
        params: accountParams,
        body: handOverAdminInput.omit({ accountId: true }),
        response: { 200: accountViewSchema },
      },
    },
    async (request) => handOverAdmin(request.ctx, { ...request.body, ...request.params }),
  );

  app.get(
    '/api/schools/:schoolId/policy',
    {
      schema: {
        tags,
        summary: "The school's current policy version; senior leaders also see who has not acknowledged it",
        params: schoolParams,
        response: {
          200: z.object({
            schoolId: z.uuid(),
            versionLabel: z.string().nullable(),
            documentUrl: z.string().nullable(),
            versionAt: z.string().nullable(),
            acknowledgedByMe: z.boolean(),
            outstanding: z.array(z.object({ userId: z.uuid(), displayName: z.string() })).optional(),
          }),
        },
      },
    },
    async (request) => getPolicyStatus(request.ctx, request.params),
  );

  app.put(
    '/api/schools/:schoolId/policy',
    {
      schema: {
        tags,
        summary:
          'Record a new policy version; everyone is asked to acknowledge it (senior leaders, trust admins)',
        params: schoolParams,
        body: setPolicyVersionInput.omit({ schoolId: true }),
        response: {
          200: z.object({
            schoolId: z.uuid(),
            versionLabel: z.string(),
            documentUrl: z.string(),
            versionAt: z.string(),
          }),
        },
      },
    },
    async (request) => setPolicyVersion(request.ctx, { ...request.body, ...request.params }),
  );

  app.post(
    '/api/schools/:schoolId/policy/acknowledgements',
    {
      schema: {
        tags,
        summary: "Acknowledge the school's current policy version (anyone at the school)",
        params: schoolParams,
        body: acknowledgePolicyInput.omit({ schoolId: true }),
        response: { 200: z.object({ versionLabel: z.string(), alreadyAcknowledged: z.boolean() }) },
      },
    },
    async (request) => acknowledgePolicy(request.ctx, { ...request.body, ...request.params }),
  );
};
