import type { RouteOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parentRequests, savedReplies } from '../../db/schema/index.js';
import { QUEUE_NAMES } from '../../workers/job-registry.js';
import { buildTestApp, type TestApp } from '../helpers/build-test-app.js';
import { createComment } from '../helpers/factories.js';
import { type SignedIn, signIn } from '../helpers/sign-in.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';
import {
  MATRIX_CONFIG,
  MATRIX_WEBHOOK_HOST,
  type MatrixSchool,
  matrixSchool,
  signInAll,
  WHO,
  type Who,
} from './access-matrix-fixture.js';

/**
 * Every route × every role (issue 8): a role the verb does not allow is refused with 403, a
 * signed-out caller with 401 (API) or a 303 to /login (pages), a user of school A asking for
 * school B's object by id gets 404, and an allowed role gets an answer that is not an
 * authorisation refusal. Every registered route must be classified here, so a new route fails this
 * test until someone decides who may call it.
 */

type Target = { url: string; json?: unknown; form?: Record<string, string | string[]>; calendar?: string };
type Build = (s: MatrixSchool, who: Who) => Target | Promise<Target>;
interface Row {
  /** Who may: every signed-in role, a list, or nobody needs to sign in. Read from the verbs. */
  allowed: 'public' | 'any' | readonly Who[];
  build: Build;
  /**
   * The request names a school-scoped object (or school) by id: B's answers 404 to A's people (or
   * to those listed, when the others are refused before any id is looked at).
   */
  scoped?: true | readonly Who[];
  /** Signed out: 401, or a 303 to /login; default 401 under /api and /auth, else 303. */
  signedOut?: 401 | 303;
  /** For public routes: the status a signed-out caller gets. */
  anon?: number;
  /** Statuses an allowed role may get besides 2xx/3xx, 409 and 422 (state, not access). */
  alsoAccept?: readonly number[];
  /** Server-sent events: the answer never ends, so only its status line is read. */
  stream?: boolean;
  /** Ends its own session: gets a fresh one. */
  freshSession?: boolean;
}

const ALL = 'any' as const;
const RESPONDERS = ['comms', 'senior_leader', 'account_admin'] as const;
const ADMIN_OR_SENIOR = ['account_admin', 'senior_leader'] as const;
const PROPOSERS = ['comms', 'senior_leader', 'trust_admin', 'account_admin'] as const;
const REPORT_READERS = ['comms', 'senior_leader', 'trust_admin', 'auditor', 'account_admin'] as const;
const AUDIT_READERS = ['auditor', 'trust_admin', 'senior_leader'] as const;
const AUDIT_VERIFIERS = ['auditor', 'trust_admin'] as const;
const LEXICON_READERS = ['trust_admin', 'senior_leader', 'comms', 'account_admin'] as const;
const LEXICON_EDITORS = ['trust_admin', 'senior_leader'] as const;
const ROSTER_KEEPERS = ['safeguarding_lead', 'trust_admin'] as const;
const TRUST_ADMIN = ['trust_admin'] as const;
const SENIOR = ['senior_leader'] as const;
const ADMIN = ['account_admin'] as const;
const DSL = ['safeguarding_lead'] as const;
const ACTION_READERS = ['account_admin', 'senior_leader', 'auditor', 'comms'] as const;
const FLAG_READERS = ['account_admin', 'trust_admin'] as const;
/** Every member of a school's staff raises concerns; an auditor only reads. */
const STAFF = ['comms', 'senior_leader', 'safeguarding_lead', 'trust_admin', 'account_admin'] as const;
const ESCALATION_READERS = ['senior_leader', 'auditor'] as const;
/** Any staff of the school but auditors, who change nothing. */
const CORRECTORS = ['comms', 'senior_leader', 'safeguarding_lead', 'trust_admin', 'account_admin'] as const;
const QUALITY_READERS = ['senior_leader', 'trust_admin', 'auditor'] as const;
const SAVED_REPLY_EDITORS = ['comms', 'senior_leader', 'account_admin'] as const;

/** A saved reply of the school's of its own, so each caller edits or deletes a row that exists. */
async function freshSavedReply(s: MatrixSchool): Promise<string> {
  const [row] = await t.db
    .insert(savedReplies)
    .values({ schoolId: s.school.id, title: 'Matrix reply', body: 'Thank you.' })
    .returning({ id: savedReplies.id });
  return row!.id;
}

const u =
  (url: string): Build =>
  () => ({ url });
const STRONG = 'correct horse battery staple 42!';
const ICS = 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nEND:VCALENDAR\r\n';
const handle = () => `h_${Math.random().toString(36).slice(2, 10)}`;
const adminsOf = (s: MatrixSchool) => [
  { userId: s.users.account_admin.id, trainingCompleted: true, acceptableUseSigned: true },
  { userId: s.admin2.id, trainingCompleted: true, acceptableUseSigned: true },
];
const proposal = (s: MatrixSchool) => ({
  schoolId: s.school.id,
  platform: 'x',
  handle: handle(),
  purpose: 'News for parents',
  audience: 'Parents',
  admins: adminsOf(s),
});

const TABLE: Record<string, Row> = {
  // ---- operations, docs, static: public -------------------------------------------------------
  'GET /healthz': { allowed: 'public', anon: 200, build: u('/healthz') },
  'GET /readyz': { allowed: 'public', anon: 200, build: u('/readyz') },
  'GET /metrics': { allowed: 'public', anon: 200, build: u('/metrics') },
  // Meta webhooks: signed by Meta, no session; Meta is off in the matrix's config, so both answer 404
  // (tests/integration/meta/meta-webhook.test.ts covers them on).
  'GET /webhooks/meta': {
    allowed: 'public',
    anon: 404,
    build: u('/webhooks/meta?hub.mode=subscribe&hub.verify_token=x&hub.challenge=1'),
  },
  'POST /webhooks/meta': { allowed: 'public', anon: 404, build: () => ({ url: '/webhooks/meta', json: {} }) },
  'GET /static/:file': { allowed: 'public', anon: 200, build: u('/static/app.css') },
  'GET /docs': { allowed: 'public', anon: 200, build: u('/docs') },
  'GET /docs/static/index.html': { allowed: 'public', anon: 302, build: u('/docs/static/index.html') },
  'GET /docs/static/swagger-initializer.js': {
    allowed: 'public',
    anon: 200,
    build: u('/docs/static/swagger-initializer.js'),
  },
  'GET /docs/json': { allowed: 'public', anon: 200, build: u('/docs/json') },
  'GET /docs/yaml': { allowed: 'public', anon: 200, build: u('/docs/yaml') },
  'GET /docs/static/*': { allowed: 'public', anon: 200, build: u('/docs/static/swagger-ui.css') },
  // The docs' own colours (services/api/docs-theme.ts), public like the rest of Swagger UI's files.
  'GET /docs/static/theme/hallmonitor.css': {
    allowed: 'public',
    anon: 200,
    build: u('/docs/static/theme/hallmonitor.css'),
  },

  // ---- sign-in -----------------------------------------------------------------------------------
  'GET /login': { allowed: 'public', anon: 200, build: u('/login') },
  'POST /auth/sign-in': {
    allowed: 'public',
    anon: 401, // wrong password: the generic refusal, not an access-control answer
    build: () => ({ url: '/auth/sign-in', json: { email: 'nobody@school.test', password: 'wrong' } }),
  },
  'GET /auth/sso/:trustId/start': {
    allowed: 'public',
    anon: 404, // no provider configured for this trust
    build: (s) => ({ url: `/auth/sso/${s.school.trustId}/start` }),
  },
  'GET /auth/sso/callback': { allowed: 'public', anon: 401, build: u('/auth/sso/callback?code=x&state=y') },
  'POST /auth/sign-out': { allowed: ALL, freshSession: true, build: u('/auth/sign-out') },
  'GET /auth/csrf': { allowed: ALL, build: u('/auth/csrf') },
  'GET /auth/me': { allowed: ALL, build: u('/auth/me') },

  // ---- users (trust admins) ----------------------------------------------------------------------
  'GET /api/users': { allowed: TRUST_ADMIN, build: u('/api/users') },
  'POST /api/users': {
    allowed: TRUST_ADMIN,
    // Inviting needs the trust admin role somewhere first: everyone else is refused whatever school.
    scoped: TRUST_ADMIN,
    build: (s) => ({
      url: '/api/users',
      json: {
        email: `new-${handle()}@school.test`,
        displayName: 'New person',
        roles: [{ schoolId: s.school.id, role: 'comms' }],
      },
    }),
  },
  'POST /api/users/:userId/roles': {
    allowed: TRUST_ADMIN,
    scoped: true,
    build: async (s) => ({
      url: `/api/users/${(await s.freshVictim()).id}/roles`,
      json: { schoolId: s.school.id, role: 'auditor' },
    }),
  },
  'DELETE /api/users/:userId/roles/:schoolId/:role': {
    allowed: TRUST_ADMIN,
    scoped: true,
    build: async (s) => ({ url: `/api/users/${(await s.freshVictim()).id}/roles/${s.school.id}/comms` }),
  },
  'POST /api/users/:userId/disable': {
    allowed: TRUST_ADMIN,
    scoped: true,
    build: async (s) => ({ url: `/api/users/${(await s.freshVictim()).id}/disable`, json: {} }),
  },
  'POST /api/users/:userId/enable': {
    allowed: TRUST_ADMIN,
    scoped: true,
    build: async (s) => ({ url: `/api/users/${(await s.freshVictim(true)).id}/enable`, json: {} }),
  },
  // The People screen: the same verbs through forms.
  'GET /people': { allowed: TRUST_ADMIN, build: u('/people') },
  'POST /people/invite': {
    allowed: TRUST_ADMIN,
    scoped: TRUST_ADMIN,
    build: (s) => ({
      url: '/people/invite',
      form: {
        displayName: 'New person',
        email: `new-${handle()}@school.test`,
        role: 'comms',
        schoolId: s.school.id,
      },
    }),
  },
  'POST /people/:userId/roles': {
    allowed: TRUST_ADMIN,
    scoped: true,
    build: async (s) => ({
      url: `/people/${(await s.freshVictim()).id}/roles`,
      form: { schoolId: s.school.id, role: 'auditor' },
    }),
  },
  'POST /people/:userId/roles/revoke': {
    allowed: TRUST_ADMIN,
    scoped: true,
    build: async (s) => ({
      url: `/people/${(await s.freshVictim()).id}/roles/revoke`,
      form: { schoolId: s.school.id, role: 'comms' },
    }),
  },
  'POST /people/:userId/disable': {
    allowed: TRUST_ADMIN,
    scoped: true,
    build: async (s) => ({ url: `/people/${(await s.freshVictim()).id}/disable`, form: {} }),
  },
  'POST /people/:userId/enable': {
    allowed: TRUST_ADMIN,
    scoped: true,
    build: async (s) => ({ url: `/people/${(await s.freshVictim(true)).id}/enable`, form: {} }),
  },
  'PUT /api/users/:userId/password': {
    allowed: TRUST_ADMIN,
    scoped: true,
    build: (s) => ({ url: `/api/users/${s.victim.id}/password`, json: { newPassword: STRONG } }),
  },

  'GET /api/trust/domains': { allowed: TRUST_ADMIN, build: u('/api/trust/domains') },
  'GET /api/trust/external-classification': {
    allowed: TRUST_ADMIN,
    build: u('/api/trust/external-classification'),
  },
  'PUT /api/trust/external-classification': {
    allowed: TRUST_ADMIN,
    build: () => ({ url: '/api/trust/external-classification', json: { tier: 'guard', on: false } }),
  },
  'POST /api/trust/domains': {
    allowed: TRUST_ADMIN,
    build: () => ({ url: '/api/trust/domains', json: { domain: `${handle().slice(2)}.example-trust.org` } }),
  },
  'POST /api/trust/domains/:domain/verify': {
    allowed: TRUST_ADMIN,
    alsoAccept: [404], // nobody in the matrix has claimed this domain
    build: () => ({ url: `/api/trust/domains/${handle().slice(2)}.example-trust.org/verify`, json: {} }),
  },

  // ---- accounts (JSON) ---------------------------------------------------------------------------
  'GET /api/accounts': { allowed: ALL, build: u('/api/accounts') },
  'POST /api/accounts': {
    allowed: PROPOSERS,
    scoped: true,
    build: (s) => ({ url: '/api/accounts', json: proposal(s) }),
  },
  'GET /api/accounts/approvals': { allowed: SENIOR, build: u('/api/accounts/approvals') },
  'GET /api/accounts/connect/callback': {
    allowed: ALL, // an unknown state redirects back with connect_error; the verb checks the admin
    build: u('/api/accounts/connect/callback?state=unknown-state&code=x'),
  },
  'GET /api/accounts/connect/facebook/callback': {
    allowed: ALL, // an unknown state redirects back with connect_error; the verb checks the admin
    build: u('/api/accounts/connect/facebook/callback?state=unknown-state&code=x'),
  },
  'GET /api/accounts/:accountId': {
    allowed: ALL,
    scoped: true,
    build: (s) => ({ url: `/api/accounts/${s.account.id}` }),
  },
  'GET /api/accounts/:accountId/quarantined-items': {
    allowed: ADMIN_OR_SENIOR,
    scoped: true,
    build: (s) => ({ url: `/api/accounts/${s.account.id}/quarantined-items` }),
  },
  'POST /api/accounts/:accountId/decision': {
    allowed: SENIOR,
    scoped: true,
    build: async (s) => ({
      url: `/api/accounts/${(await s.freshProposedAccount()).id}/decision`,
      json: { decision: 'approve', note: 'Fine' },
    }),
  },
  'POST /api/accounts/:accountId/connect': {
    allowed: ADMIN,
    scoped: true,
    build: async (s) => ({ url: `/api/accounts/${(await s.freshAccount('approved')).id}/connect`, json: {} }),
  },
  'POST /api/accounts/:accountId/activate': {
    allowed: ADMIN_OR_SENIOR,
    scoped: true,
    build: async (s) => ({
      url: `/api/accounts/${(await s.freshAccount('suspended')).id}/activate`,
      json: {},
    }),
  },
  'POST /api/accounts/:accountId/suspend': {
    allowed: ADMIN_OR_SENIOR,
    scoped: true,
    build: async (s) => ({
      url: `/api/accounts/${(await s.freshAccount()).id}/suspend`,
      json: { note: 'Pause' },
    }),
  },
  'POST /api/accounts/:accountId/retire': {
    allowed: SENIOR,
    scoped: true,
    build: async (s) => ({
      url: `/api/accounts/${(await s.freshAccount()).id}/retire`,
      json: { note: 'Done' },
    }),
  },
  'POST /api/accounts/:accountId/review': {
    allowed: SENIOR,
    scoped: true,
    build: async (s) => ({
      url: `/api/accounts/${(await s.freshAccount()).id}/review`,
      json: { outcome: 'reapprove', note: 'Still needed' },
    }),
  },
  'PATCH /api/accounts/:accountId/settings': {
    allowed: ADMIN_OR_SENIOR,
    scoped: true,
    build: async (s) => ({
      url: `/api/accounts/${(await s.freshAccount()).id}/settings`,
      json: { settings: { autoHide: false } },
    }),
  },
  'POST /api/accounts/:accountId/admins': {
    allowed: ADMIN_OR_SENIOR,
    scoped: true,
    build: async (s) => ({
      url: `/api/accounts/${(await s.freshAccount()).id}/admins`,
      json: { userId: s.victim.id, trainingCompleted: true, acceptableUseSigned: true },
    }),
  },
  'DELETE /api/accounts/:accountId/admins/:userId': {
    allowed: ADMIN_OR_SENIOR,
    scoped: true,
    build: async (s) => {
      const { account, third } = await s.freshAccountWithThirdAdmin();
      return { url: `/api/accounts/${account.id}/admins/${third.id}` };
    },
  },
  'POST /api/accounts/:accountId/admins/hand-over': {
    allowed: ADMIN_OR_SENIOR,
    scoped: true,
    build: async (s) => {
      const { account, third } = await s.freshAccountWithThirdAdmin();
      return {
        url: `/api/accounts/${account.id}/admins/hand-over`,
        json: {
          fromUserId: third.id,
          to: { userId: s.victim.id, trainingCompleted: true, acceptableUseSigned: true },
        },
      };
    },
  },
  'GET /api/schools/:schoolId/policy': {
    allowed: ALL,
    scoped: true,
    build: (s) => ({ url: `/api/schools/${s.school.id}/policy` }),
  },
  'PUT /api/schools/:schoolId/policy': {
    allowed: ['senior_leader', 'trust_admin'],
    scoped: true,
    build: (s) => ({
      url: `/api/schools/${s.school.id}/policy`,
      json: { versionLabel: 'v1', documentUrl: 'https://school.test/policy.pdf' },
    }),
  },
  'GET /api/schools/:schoolId/people-settings': {
    allowed: ALL,
    scoped: true,
    build: (s) => ({ url: `/api/schools/${s.school.id}/people-settings` }),
  },
  'PUT /api/schools/:schoolId/people-settings': {
    allowed: ['senior_leader', 'trust_admin'],
    scoped: true,
    build: (s) => ({
      url: `/api/schools/${s.school.id}/people-settings`,
      json: { shortfallMode: 'refuse', replacementDays: 5 },
    }),
  },
  'POST /api/schools/:schoolId/policy/acknowledgements': {
    allowed: ALL,
    scoped: true,
    build: (s) => ({
      url: `/api/schools/${s.school.id}/policy/acknowledgements`,
      json: { versionLabel: 'v1' },
    }),
  },

  // ---- triage, reports, calendar -----------------------------------------------------------------
  'POST /api/comments/:id/responses': {
    allowed: RESPONDERS,
    scoped: true,
    build: (s) => ({ url: `/api/comments/${s.comment.id}/responses`, json: { kind: 'acknowledgement' } }),
  },
  'POST /api/comments/:id/assign': {
    allowed: RESPONDERS,
    scoped: true,
    build: (s) => ({ url: `/api/comments/${s.comment.id}/assign`, json: { assigneeId: null } }),
  },
  'GET /api/schools/:schoolId/saved-replies': {
    allowed: ALL,
    scoped: true,
    build: (s) => ({ url: `/api/schools/${s.school.id}/saved-replies` }),
  },
  'POST /api/schools/:schoolId/saved-replies': {
    allowed: SAVED_REPLY_EDITORS,
    scoped: true,
    build: (s) => ({
      url: `/api/schools/${s.school.id}/saved-replies`,
      json: { title: `Reply ${handle()}`, body: 'Thank you for your message.' },
    }),
  },
  'PUT /api/saved-replies/:id': {
    allowed: SAVED_REPLY_EDITORS,
    scoped: true,
    build: async (s) => ({
      url: `/api/saved-replies/${await freshSavedReply(s)}`,
      json: { title: 'Thanks', body: 'Thank you.' },
    }),
  },
  'DELETE /api/saved-replies/:id': {
    allowed: SAVED_REPLY_EDITORS,
    scoped: true,
    build: async (s) => ({ url: `/api/saved-replies/${await freshSavedReply(s)}` }),
  },
  'GET /saved-replies': { allowed: ALL, build: u('/saved-replies') },
  'GET /schools/:schoolId/saved-replies': {
    allowed: ALL,
    scoped: true,
    build: (s) => ({ url: `/schools/${s.school.id}/saved-replies` }),
  },
  'POST /schools/:schoolId/saved-replies': {
    allowed: SAVED_REPLY_EDITORS,
    scoped: true,
    build: (s) => ({
      url: `/schools/${s.school.id}/saved-replies`,
      form: { title: `Reply ${handle()}`, body: 'Thank you for your message.' },
    }),
  },
  'POST /saved-replies/:id': {
    allowed: SAVED_REPLY_EDITORS,
    scoped: true,
    build: async (s) => ({
      url: `/saved-replies/${await freshSavedReply(s)}`,
      form: { title: 'Thanks', body: 'Thank you.' },
    }),
  },
  'POST /saved-replies/:id/delete': {
    allowed: SAVED_REPLY_EDITORS,
    scoped: true,
    build: async (s) => ({ url: `/saved-replies/${await freshSavedReply(s)}/delete`, form: {} }),
  },
  'GET /api/schools/:schoolId/reports/deadlines': {
    allowed: REPORT_READERS,
    scoped: true,
    build: (s) => ({ url: `/api/schools/${s.school.id}/reports/deadlines?from=2025-01-01&to=2025-01-31` }),
  },
  'PUT /api/schools/:schoolId/calendar': {
    allowed: ['senior_leader', 'trust_admin'],
    scoped: true,
    build: (s) => ({ url: `/api/schools/${s.school.id}/calendar`, json: {} }),
  },
  'POST /api/schools/:schoolId/calendar/ical': {
    allowed: ['senior_leader', 'trust_admin'],
    scoped: true,
    build: (s) => ({ url: `/api/schools/${s.school.id}/calendar/ical`, calendar: ICS }),
  },
  'GET /api/schools/:schoolId/reply-policy': {
    allowed: ALL,
    scoped: true,
    build: (s) => ({ url: `/api/schools/${s.school.id}/reply-policy` }),
  },
  'PUT /api/schools/:schoolId/reply-policy': {
    allowed: ['senior_leader', 'trust_admin'],
    scoped: true,
    build: (s) => ({ url: `/api/schools/${s.school.id}/reply-policy`, json: { signOff: 'role' } }),
  },
  'GET /api/schools/:schoolId/contact-details': {
    allowed: ALL,
    scoped: true,
    build: (s) => ({ url: `/api/schools/${s.school.id}/contact-details` }),
  },
  'PUT /api/schools/:schoolId/contact-details': {
    allowed: ['senior_leader', 'trust_admin'],
    scoped: true,
    build: (s) => ({
      url: `/api/schools/${s.school.id}/contact-details`,
      json: { emails: ['office@school.example'], phones: [], address: '', website: '' },
    }),
  },

  // ---- moderation (JSON) -------------------------------------------------------------------------
  'GET /api/comments/:id/actions/available': {
    allowed: ALL,
    scoped: true,
    build: (s) => ({ url: `/api/comments/${s.comment.id}/actions/available` }),
  },
  'POST /api/comments/:id/actions': {
    allowed: ADMIN,
    scoped: true,
    build: (s) => ({
      url: `/api/comments/${s.comment.id}/actions`,
      json: { kind: 'hide', reasonCategory: 'abusive', reasonText: 'Abuse' },
    }),
  },
  'POST /api/actions/:id/confirm': {
    allowed: ADMIN,
    scoped: true,
    build: async (s) => ({ url: `/api/actions/${(await s.freshProposal()).id}/confirm`, json: {} }),
  },
  'POST /api/actions/:id/reject': {
    allowed: ADMIN_OR_SENIOR,
    scoped: true,
    build: async (s) => ({
      url: `/api/actions/${(await s.freshProposal()).id}/reject`,
      json: { reason: 'No' },
    }),
  },
  'POST /api/actions/:id/record': {
    allowed: ADMIN,
    scoped: true,
    build: async (s) => ({
      url: `/api/actions/${(await s.freshProposal('manual', 'approved')).id}/record`,
      json: {},
    }),
  },
  'POST /api/comments/:id/escalations': {
    allowed: ADMIN_OR_SENIOR,
    scoped: true,
    build: (s) => ({
      url: `/api/comments/${s.comment.id}/escalations`,
      json: { kind: 'senior_leader', reason: 'Harassment of staff' },
    }),
  },
  'POST /api/actions/:id/retry': {
    allowed: ADMIN,
    scoped: true,
    build: async (s) => ({ url: `/api/actions/${(await s.freshProposal('platform', 'failed')).id}/retry` }),
  },
  'POST /api/comments/:id/concerns': {
    allowed: STAFF,
    scoped: true,
    build: (s) => ({
      url: `/api/comments/${s.comment.id}/concerns`,
      json: { kind: 'misuse', note: 'Abuse aimed at a member of staff' },
    }),
  },
  'GET /api/escalations': { allowed: ESCALATION_READERS, build: u('/api/escalations') },
  'POST /api/escalations/:id/acknowledge': {
    allowed: SENIOR,
    scoped: true,
    build: async (s) => ({
      url: `/api/escalations/${(await s.freshEscalation('senior_leader')).id}/acknowledge`,
      json: {},
    }),
  },
  'POST /api/escalations/:id/close': {
    allowed: SENIOR,
    scoped: true,
    build: async (s) => ({
      url: `/api/escalations/${(await s.freshEscalation('senior_leader')).id}/close`,
      json: { note: 'Spoke to the parent; comment removed' },
    }),
  },
  'GET /api/accounts/:accountId/connect-outcome': {
    allowed: ALL,
    scoped: true,
    build: (s) => ({ url: `/api/accounts/${s.account.id}/connect-outcome?code=wrong_handle` }),
  },
  'GET /api/actions/:id': {
    allowed: ACTION_READERS,
    scoped: true,
    build: async (s) => ({ url: `/api/actions/${(await s.freshProposal()).id}` }),
  },

  // ---- audit -------------------------------------------------------------------------------------
  'GET /api/audit': { allowed: AUDIT_READERS, build: u('/api/audit') },
  'POST /api/audit/verify': {
    allowed: AUDIT_VERIFIERS,
    build: () => ({ url: '/api/audit/verify', json: {} }),
  },
  'GET /api/audit/checkpoints': { allowed: AUDIT_READERS, build: u('/api/audit/checkpoints') },
  'GET /api/audit/checkpoints/export': { allowed: AUDIT_READERS, build: u('/api/audit/checkpoints/export') },
  'POST /api/audit/checkpoints': {
    allowed: AUDIT_VERIFIERS,
    build: () => ({ url: '/api/audit/checkpoints', json: {} }),
  },
  'GET /api/audit/export': { allowed: AUDIT_VERIFIERS, build: u('/api/audit/export') },
  'POST /api/audit/subject-access': {
    allowed: ['safeguarding_lead', 'trust_admin'],
    build: () => ({ url: '/api/audit/subject-access', json: { handle: 'parent_of_three' } }),
  },
  'POST /api/audit/subject-access/erase': {
    allowed: TRUST_ADMIN,
    build: () => ({
      url: '/api/audit/subject-access/erase',
      json: { handle: 'nobody_here', reason: 'Erasure request' },
    }),
  },
  'GET /audit': { allowed: AUDIT_READERS, build: u('/audit') },
  'POST /audit/verify': { allowed: AUDIT_VERIFIERS, build: () => ({ url: '/audit/verify', form: {} }) },

  // ---- notifications -----------------------------------------------------------------------------
  'GET /api/notifications': { allowed: ALL, build: u('/api/notifications') },
  'GET /api/notifications/unread-count': { allowed: ALL, build: u('/api/notifications/unread-count') },
  'POST /api/notifications/:notificationId/read': {
    allowed: ALL,
    scoped: true,
    build: (s, who) => ({ url: `/api/notifications/${s.note[who]}/read`, json: {} }),
  },
  'POST /api/notifications/read-all': {
    allowed: ALL,
    build: () => ({ url: '/api/notifications/read-all', json: {} }),
  },
  'GET /api/me/notification-preferences': { allowed: ALL, build: u('/api/me/notification-preferences') },
  'PUT /api/me/notification-preferences': {
    allowed: ALL,
    build: () => ({
      url: '/api/me/notification-preferences',
      json: { preferences: [{ event: 'comment.deadline_warning', email: false }] },
    }),
  },
  'GET /api/schools/:schoolId/notification-deliveries': {
    allowed: TRUST_ADMIN,
    scoped: true,
    build: (s) => ({ url: `/api/schools/${s.school.id}/notification-deliveries` }),
  },
  'GET /api/schools/:schoolId/webhooks': {
    allowed: TRUST_ADMIN,
    scoped: true,
    build: (s) => ({ url: `/api/schools/${s.school.id}/webhooks` }),
  },
  'POST /api/schools/:schoolId/webhooks': {
    allowed: TRUST_ADMIN,
    scoped: true,
    build: (s) => ({
      url: `/api/schools/${s.school.id}/webhooks`,
      json: { kind: 'slack', label: 'Comms', url: `https://${MATRIX_WEBHOOK_HOST}/services/T0/B0/abcd` },
    }),
  },
  'DELETE /api/schools/:schoolId/webhooks/:webhookId': {
    allowed: TRUST_ADMIN,
    scoped: true,
    build: async (s) => ({ url: `/api/schools/${s.school.id}/webhooks/${await s.freshWebhook()}` }),
  },
  'GET /notifications': { allowed: ALL, build: u('/notifications') },
  'POST /notifications/preferences': {
    allowed: ALL,
    build: () => ({ url: '/notifications/preferences', form: { 'comment.flagged:in_app': 'on' } }),
  },
  'GET /schools/:schoolId/notifications': {
    allowed: TRUST_ADMIN,
    scoped: true,
    build: (s) => ({ url: `/schools/${s.school.id}/notifications` }),
  },
  'POST /schools/:schoolId/webhooks/add': {
    allowed: TRUST_ADMIN,
    scoped: true,
    build: (s) => ({
      url: `/schools/${s.school.id}/webhooks/add`,
      form: { kind: 'slack', label: 'Comms', url: `https://${MATRIX_WEBHOOK_HOST}/services/T0/B0/abcd` },
    }),
  },
  'POST /schools/:schoolId/webhooks/:webhookId/remove': {
    allowed: TRUST_ADMIN,
    scoped: true,
    build: async (s) => ({
      url: `/schools/${s.school.id}/webhooks/${await s.freshWebhook()}/remove`,
      form: {},
    }),
  },

  // ---- sensitive replies (senior leaders) --------------------------------------------------------
  'GET /api/responses/pending': { allowed: SENIOR, build: u('/api/responses/pending') },
  'POST /api/responses/:id/approve': {
    allowed: SENIOR,
    scoped: true,
    build: async (s) => ({ url: `/api/responses/${(await s.freshPendingReply()).id}/approve`, json: {} }),
  },
  'POST /api/responses/:id/remove': {
    allowed: RESPONDERS,
    scoped: true,
    build: async (s) => ({
      url: `/api/responses/${(await s.freshPendingReply()).id}/remove`,
      json: { reason: 'Sent to the wrong comment' },
    }),
  },
  'POST /api/responses/:id/reject': {
    allowed: SENIOR,
    scoped: true,
    build: async (s) => ({
      url: `/api/responses/${(await s.freshPendingReply()).id}/reject`,
      json: { reason: 'No' },
    }),
  },

  // ---- school lexicon and roster -----------------------------------------------------------------
  'GET /api/schools/:schoolId/lexicon': {
    allowed: LEXICON_READERS,
    scoped: true,
    build: (s) => ({ url: `/api/schools/${s.school.id}/lexicon` }),
  },
  'POST /api/schools/:schoolId/lexicon': {
    allowed: LEXICON_EDITORS,
    scoped: true,
    build: (s) => ({ url: `/api/schools/${s.school.id}/lexicon`, json: { kind: 'allow', term: handle() } }),
  },
  'DELETE /api/schools/:schoolId/lexicon/:entryId': {
    allowed: LEXICON_EDITORS,
    scoped: true,
    build: async (s) => ({ url: `/api/schools/${s.school.id}/lexicon/${await s.freshLexiconEntry()}` }),
  },
  'GET /api/schools/:schoolId/roster': {
    allowed: ROSTER_KEEPERS,
    scoped: true,
    build: (s) => ({ url: `/api/schools/${s.school.id}/roster` }),
  },
  'POST /api/schools/:schoolId/roster': {
    allowed: ROSTER_KEEPERS,
    scoped: true,
    build: (s) => ({ url: `/api/schools/${s.school.id}/roster`, json: { csv: 'Ada,Lovelace,6\n' } }),
  },
  'POST /api/schools/:schoolId/roster/remove': {
    allowed: ROSTER_KEEPERS,
    scoped: true,
    build: (s) => ({ url: `/api/schools/${s.school.id}/roster/remove`, json: { all: true } }),
  },

  // ---- staff teach the classifier (issue 20) ------------------------------------------------------
  'POST /api/comments/:id/corrections/flag': {
    allowed: CORRECTORS,
    scoped: true,
    build: (s) => ({ url: `/api/comments/${s.comment.id}/corrections/flag`, json: { category: 'spam' } }),
  },
  'POST /api/comments/:id/corrections/not-a-problem': {
    allowed: CORRECTORS,
    scoped: true,
    build: (s) => ({
      url: `/api/comments/${s.comment.id}/corrections/not-a-problem`,
      json: { category: 'spam', reason: 'Not spam' },
    }),
  },
  'POST /comments/:id/flag': {
    allowed: CORRECTORS,
    scoped: true,
    build: (s) => ({ url: `/comments/${s.comment.id}/flag`, form: { category: 'spam' } }),
  },
  'POST /comments/:id/not-a-problem': {
    allowed: CORRECTORS,
    scoped: true,
    build: (s) => ({
      url: `/comments/${s.comment.id}/not-a-problem`,
      form: { category: 'spam', reason: 'Fine' },
    }),
  },
  'GET /api/schools/:schoolId/corrections': {
    allowed: TRUST_ADMIN,
    scoped: true,
    build: (s) => ({ url: `/api/schools/${s.school.id}/corrections` }),
  },
  'POST /api/schools/:schoolId/corrections/:correctionId/review': {
    allowed: TRUST_ADMIN,
    scoped: true,
    build: async (s) => ({
      url: `/api/schools/${s.school.id}/corrections/${(await s.freshCorrection()).id}/review`,
      json: { outcome: 'dismiss' },
    }),
  },
  'GET /api/schools/:schoolId/corrections/examples.jsonl': {
    allowed: TRUST_ADMIN,
    scoped: true,
    build: (s) => ({ url: `/api/schools/${s.school.id}/corrections/examples.jsonl` }),
  },
  'GET /api/schools/:schoolId/classifier-quality': {
    allowed: QUALITY_READERS,
    scoped: true,
    build: (s) => ({ url: `/api/schools/${s.school.id}/classifier-quality?month=2026-11` }),
  },
  'GET /corrections': {
    allowed: TRUST_ADMIN,
    // Everyone else is refused before the school is looked at.
    scoped: TRUST_ADMIN,
    build: (s) => ({ url: `/corrections?schoolId=${s.school.id}` }),
  },
  'POST /corrections/:schoolId/:correctionId/review': {
    allowed: TRUST_ADMIN,
    scoped: true,
    build: async (s) => ({
      url: `/corrections/${s.school.id}/${(await s.freshCorrection()).id}/review`,
      form: { outcome: 'dismiss' },
    }),
  },
  'GET /reports/classifier-quality': {
    allowed: QUALITY_READERS,
    scoped: QUALITY_READERS,
    build: (s) => ({ url: `/reports/classifier-quality?schoolId=${s.school.id}&month=2026-11` }),
  },

  // ---- inbox -------------------------------------------------------------------------------------
  'GET /api/inbox': { allowed: ALL, build: u('/api/inbox') },
  'GET /': { allowed: ALL, build: u('/') },
  'GET /api/inbox/events': { allowed: ALL, stream: true, build: u('/api/inbox/events') },
  // Bulk: the request is anyone's; each comment is refused or done inside (see the test below).
  'POST /api/inbox/acknowledge': {
    allowed: ALL,
    build: (s) => ({ url: '/api/inbox/acknowledge', json: { commentIds: [s.comment.id] } }),
  },
  'POST /inbox/acknowledge': {
    allowed: ALL,
    build: (s) => ({ url: '/inbox/acknowledge', form: { commentIds: s.comment.id } }),
  },
  // Bulk assign and close: an id the caller may not see refuses the whole request (404); a role
  // that may act on none of the comments is refused (403).
  'POST /api/inbox/assign': {
    allowed: RESPONDERS,
    scoped: true,
    build: (s) => ({ url: '/api/inbox/assign', json: { commentIds: [s.comment.id], assigneeId: null } }),
  },
  'POST /inbox/assign': {
    allowed: RESPONDERS,
    scoped: true,
    build: (s) => ({ url: '/inbox/assign', form: { commentIds: s.comment.id, assigneeId: '' } }),
  },
  'POST /inbox/close': {
    allowed: RESPONDERS,
    scoped: true,
    build: (s) => ({ url: '/inbox/close', form: { commentIds: s.comment.id, reason: 'Spam' } }),
  },
  'POST /api/inbox/close': {
    allowed: RESPONDERS,
    scoped: true,
    build: (s) => ({ url: '/api/inbox/close', json: { commentIds: [s.comment.id], reason: 'Spam' } }),
  },

  // ---- staff screens -----------------------------------------------------------------------------
  'GET /flags': { allowed: FLAG_READERS, build: u('/flags') },
  'GET /api/flags': { allowed: FLAG_READERS, build: u('/api/flags') },
  'POST /web/actions/:id/confirm': {
    allowed: ADMIN,
    scoped: true,
    build: async (s) => ({ url: `/web/actions/${(await s.freshProposal()).id}/confirm`, form: {} }),
  },
  'POST /web/actions/:id/reject': {
    allowed: ADMIN_OR_SENIOR,
    scoped: true,
    build: async (s) => ({
      url: `/web/actions/${(await s.freshProposal()).id}/reject`,
      form: { reason: 'No' },
    }),
  },
  'GET /safeguarding': { allowed: DSL, build: u('/safeguarding') },
  'POST /safeguarding/:id/resolve': {
    allowed: DSL,
    scoped: true,
    build: async (s) => ({
      url: `/safeguarding/${(await s.freshEscalation()).id}/resolve`,
      form: { outcome: 'acknowledge', note: 'Spoke to the family' },
    }),
  },
  'GET /approvals': { allowed: SENIOR, build: u('/approvals') },
  'POST /approvals/accounts/:id/decision': {
    allowed: SENIOR,
    scoped: true,
    build: async (s) => ({
      url: `/approvals/accounts/${(await s.freshProposedAccount()).id}/decision`,
      form: { decision: 'approve', note: 'Fine' },
    }),
  },
  'POST /approvals/replies/:id/approve': {
    allowed: SENIOR,
    scoped: true,
    build: async (s) => ({ url: `/approvals/replies/${(await s.freshPendingReply()).id}/approve`, form: {} }),
  },
  'POST /approvals/replies/:id/reject': {
    allowed: SENIOR,
    scoped: true,
    build: async (s) => ({
      url: `/approvals/replies/${(await s.freshPendingReply()).id}/reject`,
      form: { reason: 'No' },
    }),
  },
  'GET /accounts': { allowed: ALL, build: u('/accounts') },
  'GET /accounts/:id': { allowed: ALL, scoped: true, build: (s) => ({ url: `/accounts/${s.account.id}` }) },
  'POST /accounts': {
    allowed: PROPOSERS,
    build: (s) => ({
      url: '/accounts',
      form: {
        schoolId: s.school.id,
        platform: 'x',
        handle: handle(),
        purpose: 'News',
        audience: 'Parents',
        admins: [s.users.account_admin.id, s.admin2.id],
        confirmTraining: 'on',
      },
    }),
    scoped: true,
  },
  'POST /accounts/:id/settings': {
    allowed: ADMIN_OR_SENIOR,
    scoped: true,
    build: async (s) => ({
      url: `/accounts/${(await s.freshAccount()).id}/settings`,
      form: { autoHide: 'on' },
    }),
  },
  'POST /accounts/:id/admins': {
    allowed: ADMIN_OR_SENIOR,
    scoped: true,
    build: async (s) => ({
      url: `/accounts/${(await s.freshAccount()).id}/admins`,
      form: { userId: s.victim.id, trainingCompleted: 'on', acceptableUseSigned: 'on' },
    }),
  },
  'POST /accounts/:id/admins/:userId/remove': {
    allowed: ADMIN_OR_SENIOR,
    scoped: true,
    build: async (s) => {
      const { account, third } = await s.freshAccountWithThirdAdmin();
      return { url: `/accounts/${account.id}/admins/${third.id}/remove`, form: {} };
    },
  },
  'POST /accounts/:id/connect': {
    allowed: ADMIN,
    scoped: true,
    build: async (s) => ({ url: `/accounts/${(await s.freshAccount('approved')).id}/connect`, form: {} }),
  },
  'GET /accounts/:id/connect/facebook': {
    allowed: ADMIN,
    scoped: true,
    // an X account has no Page picker: 400 once the admin check has passed
    alsoAccept: [400],
    build: async (s) => ({
      url: `/accounts/${(await s.freshAccount('approved')).id}/connect/facebook?picker=${'p'.repeat(32)}`,
    }),
  },
  'POST /accounts/:id/connect/facebook': {
    allowed: ADMIN,
    scoped: true,
    alsoAccept: [400],
    build: async (s) => ({
      url: `/accounts/${(await s.freshAccount('approved')).id}/connect/facebook`,
      form: { picker: 'p'.repeat(32), choice: '123' },
    }),
  },
  'GET /accounts/:id/connect/bluesky': {
    allowed: ADMIN,
    scoped: true,
    // an X account has no app password form: 400 once the admin check has passed
    alsoAccept: [400],
    build: async (s) => ({ url: `/accounts/${(await s.freshAccount('approved')).id}/connect/bluesky` }),
  },
  'POST /accounts/:id/connect/bluesky': {
    allowed: ADMIN,
    scoped: true,
    // 303 back to the form with the refusal (an X account does not connect with an app password)
    alsoAccept: [400],
    build: async (s) => ({
      url: `/accounts/${(await s.freshAccount('approved')).id}/connect/bluesky`,
      form: { handle: 'oakfield.bsky.social', appPassword: 'abcd-efgh-ijkl-mnop' },
    }),
  },
  'POST /accounts/:id/activate': {
    allowed: ADMIN_OR_SENIOR,
    scoped: true,
    build: async (s) => ({ url: `/accounts/${(await s.freshAccount('suspended')).id}/activate`, form: {} }),
  },
  'POST /accounts/:id/suspend': {
    allowed: ADMIN_OR_SENIOR,
    scoped: true,
    build: async (s) => ({
      url: `/accounts/${(await s.freshAccount()).id}/suspend`,
      form: { note: 'Pause' },
    }),
  },
  'POST /accounts/:id/retire': {
    allowed: SENIOR,
    scoped: true,
    build: async (s) => ({ url: `/accounts/${(await s.freshAccount()).id}/retire`, form: { note: 'Done' } }),
  },
  'POST /accounts/:id/review': {
    allowed: SENIOR,
    scoped: true,
    build: async (s) => ({
      url: `/accounts/${(await s.freshAccount()).id}/review`,
      form: { outcome: 'reapprove', note: 'Still needed' },
    }),
  },
  'GET /deadlines': { allowed: REPORT_READERS, build: u('/deadlines') },
  'GET /follow-ups': { allowed: REPORT_READERS, build: u('/follow-ups') },
  'GET /reports/retention': {
    allowed: QUALITY_READERS,
    scoped: QUALITY_READERS,
    build: (s) => ({ url: `/reports/retention?schoolId=${s.school.id}` }),
  },

  // ---- school settings screen (terms, roster, calendar) ------------------------------------------
  'GET /settings': { allowed: ['trust_admin', 'senior_leader', 'safeguarding_lead'], build: u('/settings') },
  // Any section the person may read: terms (comms and up), roster (DSL), calendar (senior leaders).
  'GET /schools/:schoolId/settings': {
    allowed: ['comms', 'senior_leader', 'safeguarding_lead', 'trust_admin', 'account_admin'],
    scoped: true,
    build: (s) => ({ url: `/schools/${s.school.id}/settings` }),
  },
  'POST /schools/:schoolId/settings/terms': {
    allowed: LEXICON_EDITORS,
    scoped: true,
    build: (s) => ({
      url: `/schools/${s.school.id}/settings/terms`,
      form: { kind: 'allow', term: handle() },
    }),
  },
  'POST /schools/:schoolId/settings/terms/:entryId/remove': {
    allowed: LEXICON_EDITORS,
    scoped: true,
    build: async (s) => ({
      url: `/schools/${s.school.id}/settings/terms/${await s.freshLexiconEntry()}/remove`,
      form: {},
    }),
  },
  'POST /schools/:schoolId/settings/roster': {
    allowed: ROSTER_KEEPERS,
    scoped: true,
    build: (s) => ({ url: `/schools/${s.school.id}/settings/roster`, form: { csv: 'Ada,Lovelace,6\n' } }),
  },
  'POST /schools/:schoolId/settings/roster/remove': {
    allowed: ROSTER_KEEPERS,
    scoped: true,
    build: (s) => ({ url: `/schools/${s.school.id}/settings/roster/remove`, form: { all: 'true' } }),
  },
  'POST /schools/:schoolId/settings/calendar': {
    allowed: ['senior_leader', 'trust_admin'],
    scoped: true,
    build: (s) => ({ url: `/schools/${s.school.id}/settings/calendar`, form: { closures: '' } }),
  },
  'POST /schools/:schoolId/settings/calendar/ical': {
    allowed: ['senior_leader', 'trust_admin'],
    scoped: true,
    build: (s) => ({ url: `/schools/${s.school.id}/settings/calendar/ical`, form: { ics: ICS } }),
  },
  'POST /schools/:schoolId/settings/external-classification': {
    allowed: TRUST_ADMIN,
    scoped: true,
    build: (s) => ({
      url: `/schools/${s.school.id}/settings/external-classification`,
      form: { tier: 'guard', on: 'false' },
    }),
  },
  'POST /schools/:schoolId/settings/replies': {
    allowed: ['senior_leader', 'trust_admin'],
    scoped: true,
    build: (s) => ({
      url: `/schools/${s.school.id}/settings/replies`,
      form: {
        houseRules: 'be_respectful: Be kind',
        noticeByDefault: 'on',
        noticeHidden: 'We have hidden a reply: it broke “{rule}”.',
        noticeRemoved: 'We have removed a reply: it broke “{rule}”.',
        noticeBlocked: 'We have blocked an account: it broke “{rule}”.',
        offensiveFlagTargetMinutes: '60',
        sensitiveTopics: 'Health: medical',
        signOff: 'initials',
      },
    }),
  },
  'POST /schools/:schoolId/settings/deadlines': {
    allowed: ['senior_leader', 'trust_admin'],
    scoped: true,
    build: (s) => ({
      url: `/schools/${s.school.id}/settings/deadlines`,
      form: {
        holdingReplyTemplate: 'Thank you, we will reply in full soon.',
        followUpWorkingDays: '5',
        retentionMonths: '24',
        quarantinedDays: '30',
        notificationMonths: '12',
        deliveryLogDays: '90',
        safeguardingYears: '25',
      },
    }),
  },
  'POST /schools/:schoolId/settings/people': {
    allowed: ['senior_leader', 'trust_admin'],
    scoped: true,
    build: (s) => ({
      url: `/schools/${s.school.id}/settings/people`,
      form: { shortfallMode: 'refuse', replacementDays: '5' },
    }),
  },
  'POST /schools/:schoolId/settings/conduct': {
    allowed: ['senior_leader', 'trust_admin'],
    scoped: true,
    build: (s) => ({
      url: `/schools/${s.school.id}/settings/conduct`,
      form: {
        headteacherId: '',
        dpoUserId: '',
        dpoEmail: '',
        harassmentCount: '3',
        harassmentWindowDays: '7',
      },
    }),
  },
  'GET /policy': { allowed: ALL, build: () => ({ url: '/policy' }) },
  'GET /schools/:schoolId/policy': {
    allowed: ALL,
    scoped: true,
    build: (s) => ({ url: `/schools/${s.school.id}/policy` }),
  },
  'POST /schools/:schoolId/policy/acknowledge': {
    allowed: ALL,
    scoped: true,
    build: (s) => ({
      url: `/schools/${s.school.id}/policy/acknowledge`,
      form: { versionLabel: 'v1', read: 'on' },
    }),
  },
  'POST /schools/:schoolId/policy/publish': {
    allowed: ['senior_leader', 'trust_admin'],
    scoped: true,
    build: (s) => ({
      url: `/schools/${s.school.id}/policy/publish`,
      // The same version as the API row: the roles acknowledge it there, so later replies still pass (P5).
      form: { versionLabel: 'v1', documentUrl: 'https://school.test/policy.pdf' },
    }),
  },
  'POST /schools/:schoolId/settings/contact-details': {
    allowed: ['senior_leader', 'trust_admin'],
    scoped: true,
    build: (s) => ({
      url: `/schools/${s.school.id}/settings/contact-details`,
      form: { emails: 'office@school.example', phones: '01632 960123', address: '', website: '' },
    }),
  },

  // ---- the comment page and its forms ------------------------------------------------------------
  'GET /comments/:id': { allowed: ALL, scoped: true, build: (s) => ({ url: `/comments/${s.comment.id}` }) },
  'GET /api/comments/:id': {
    allowed: ALL,
    scoped: true,
    build: (s) => ({ url: `/api/comments/${s.comment.id}` }),
  },
  'POST /comments/:id/reply': {
    allowed: RESPONDERS,
    scoped: true,
    build: (s) => ({ url: `/comments/${s.comment.id}/reply`, form: { kind: 'acknowledgement' } }),
  },
  'POST /comments/:id/responses/:responseId/remove': {
    allowed: RESPONDERS,
    scoped: true,
    build: async (s) => ({
      url: `/comments/${s.comment.id}/responses/${(await s.freshPendingReply()).id}/remove`,
      form: { reason: 'Sent to the wrong comment' },
    }),
  },
  'POST /comments/:id/close': {
    allowed: RESPONDERS,
    scoped: true,
    build: (s) => ({ url: `/comments/${s.comment.id}/close`, form: { reason: 'Spam' } }),
  },
  'POST /comments/:id/assign': {
    allowed: RESPONDERS,
    scoped: true,
    build: (s) => ({ url: `/comments/${s.comment.id}/assign`, form: { assigneeId: '' } }),
  },
  'POST /comments/:id/act': {
    allowed: ADMIN,
    scoped: true,
    build: (s) => ({
      url: `/comments/${s.comment.id}/act`,
      form: { kind: 'hide', reasonCategory: 'abusive', reasonText: 'Abuse' },
    }),
  },
  'POST /comments/:id/post-commenting': {
    // The matrix comment is on X, whose API cannot: an admin gets past access to that refusal.
    allowed: ADMIN,
    scoped: true,
    build: (s) => ({
      url: `/comments/${s.comment.id}/post-commenting`,
      form: { commenting: 'off', reason: 'A pile-on' },
    }),
  },
  'POST /comments/:id/actions/:actionId/retry': {
    allowed: ADMIN,
    scoped: true,
    build: async (s) => ({
      url: `/comments/${s.comment.id}/actions/${(await s.freshProposal('platform', 'failed')).id}/retry`,
      form: {},
    }),
  },
  'POST /comments/:id/actions/:actionId/record': {
    allowed: ADMIN,
    scoped: true,
    build: async (s) => ({
      url: `/comments/${s.comment.id}/actions/${(await s.freshProposal('manual', 'approved')).id}/record`,
      form: { note: 'Deleted in the X app' },
    }),
  },
  'GET /actions/:id': {
    allowed: ACTION_READERS,
    scoped: true,
    build: async (s) => ({ url: `/actions/${(await s.freshProposal()).id}` }),
  },
  'POST /comments/:id/concerns': {
    allowed: STAFF,
    scoped: true,
    build: (s) => ({
      url: `/comments/${s.comment.id}/concerns`,
      form: { kind: 'misuse', note: 'Abuse aimed at a member of staff' },
    }),
  },
  'GET /escalations': { allowed: ESCALATION_READERS, build: u('/escalations') },
  'POST /escalations/:id/acknowledge': {
    allowed: SENIOR,
    scoped: true,
    build: async (s) => ({
      url: `/escalations/${(await s.freshEscalation('senior_leader')).id}/acknowledge`,
      form: {},
    }),
  },
  'POST /escalations/:id/close': {
    allowed: SENIOR,
    scoped: true,
    build: async (s) => ({
      url: `/escalations/${(await s.freshEscalation('senior_leader')).id}/close`,
      form: { note: 'Spoke to the parent' },
    }),
  },
  'POST /comments/:id/actions/:actionId/confirm': {
    allowed: ADMIN,
    scoped: true,
    build: async (s) => ({
      url: `/comments/${s.comment.id}/actions/${(await s.freshProposal()).id}/confirm`,
      form: {},
    }),
  },
  'POST /comments/:id/actions/:actionId/reject': {
    allowed: ADMIN_OR_SENIOR,
    scoped: true,
    build: async (s) => ({
      url: `/comments/${s.comment.id}/actions/${(await s.freshProposal()).id}/reject`,
      form: { reason: 'No' },
    }),
  },
  // ---- who wrote it: parents (P9) and pupils (002 §5) -----------------------------------------------
  'POST /comments/:id/author/mark': {
    allowed: ['comms', 'senior_leader', 'safeguarding_lead', 'account_admin'],
    scoped: true,
    build: (s) => ({ url: `/comments/${s.comment.id}/author/mark`, form: { kind: 'parent' } }),
  },
  'POST /comments/:id/author/unmark': {
    allowed: ['comms', 'senior_leader', 'safeguarding_lead', 'account_admin'],
    scoped: true,
    build: (s) => ({
      url: `/comments/${s.comment.id}/author/unmark`,
      form: { kind: 'pupil', reason: 'Not a pupil' },
    }),
  },
  'POST /comments/:id/parent-request': {
    allowed: ADMIN_OR_SENIOR,
    scoped: true,
    build: (s) => ({ url: `/comments/${s.comment.id}/parent-request`, form: { contact: 'private' } }),
  },
  'GET /parent-requests': { allowed: ALL, build: u('/parent-requests') },
  'POST /parent-requests/:id/escalate': {
    allowed: ADMIN_OR_SENIOR,
    scoped: true,
    build: async (s) => {
      const comment = await createComment(t.db, {
        schoolId: s.school.id,
        accountId: s.account.id,
        text: 'You are all useless',
      });
      const [row] = await t.db
        .insert(parentRequests)
        .values({
          schoolId: s.school.id,
          accountId: s.account.id,
          commentId: comment.id,
          contact: 'private',
          requestedBy: s.users.senior_leader.id,
        })
        .returning();
      return { url: `/parent-requests/${row!.id}/escalate`, form: { reason: 'Still up after a week' } };
    },
  },
  'POST /schools/:schoolId/settings/behaviour-lead': {
    allowed: ['senior_leader', 'trust_admin'],
    scoped: true,
    build: (s) => ({ url: `/schools/${s.school.id}/settings/behaviour-lead`, form: { userId: '' } }),
  },
  'POST /comments/:id/escalate': {
    allowed: ADMIN_OR_SENIOR,
    scoped: true,
    build: (s) => ({
      url: `/comments/${s.comment.id}/escalate`,
      form: { kind: 'senior_leader', reason: 'Harassment of staff' },
    }),
  },
};

/**
 * Bull Board (/admin/queues): one guard in front of all its routes: trust admins only. Its routes
 * come from the library, so they are classified by prefix and called with a real queue's name.
 */
const BOARD = '/admin/queues';
function boardRow(method: string, url: string): Row {
  const path = url
    .replace(':queueName', QUEUE_NAMES[0])
    .replace(':jobId', 'no-such-job')
    .replace(':queueStatus', 'failed')
    .replace(':schedulerId', 'no-such-scheduler')
    .replace('*', 'index.css');
  const isApi = url.startsWith(`${BOARD}/api/`);
  return {
    allowed: TRUST_ADMIN,
    signedOut: !isApi && method === 'GET' ? 303 : 401,
    // Bull Board's own "no such job / scheduler" and its input checks are not access refusals.
    alsoAccept: [400, 404, 500],
    build: () => ({ url: path, ...(method === 'GET' ? {} : { json: {} }) }),
  };
}

// ------------------------------------------------------------------------------------------------

let t: TestDatabase;
let api: TestApp;
let a: MatrixSchool;
let b: MatrixSchool;
let sessions: Record<Who, SignedIn>;
const registered: { method: string; url: string }[] = [];

beforeAll(async () => {
  t = await createTestDatabase();
  api = await buildTestApp(t.db, {
    configOverrides: MATRIX_CONFIG,
    onRoute: (route: RouteOptions) => {
      for (const method of [route.method].flat()) {
        if (method !== 'HEAD') registered.push({ method, url: route.url });
      }
    },
  });
  a = await matrixSchool(t.db, api.config);
  b = await matrixSchool(t.db, api.config, a.school.trustId);
  sessions = await signInAll(t.db, a);
}, 60_000);
afterAll(async () => {
  await api?.close();
  await t?.drop();
});

function rowFor(method: string, url: string): Row | undefined {
  const key = `${method} ${url}`;
  if (TABLE[key]) return TABLE[key];
  if (url === BOARD || url.startsWith(`${BOARD}/`)) return boardRow(method, url);
  return undefined;
}

async function send(method: string, target: Target, session: SignedIn | null) {
  const headers: Record<string, string> = {};
  if (session) Object.assign(headers, session.headers);
  let payload: string | undefined;
  if (target.form) {
    const body = new URLSearchParams();
    if (session) body.append('_csrf', session.csrfToken);
    for (const [k, v] of Object.entries(target.form)) for (const x of [v].flat()) body.append(k, x);
    payload = body.toString();
    headers['content-type'] = 'application/x-www-form-urlencoded';
  } else if (target.calendar) {
    payload = target.calendar;
    headers['content-type'] = 'text/calendar';
  } else if (target.json !== undefined) {
    payload = JSON.stringify(target.json);
    headers['content-type'] = 'application/json';
  }
  return api.app.inject({
    method: method as 'GET',
    url: target.url,
    headers,
    ...(payload ? { payload } : {}),
  });
}

/** The status of a server-sent-events answer, read from a real connection then closed. */
async function streamStatus(target: Target, session: SignedIn | null) {
  const address = api.app.server.address();
  if (!address || typeof address === 'string') await api.app.listen({ port: 0, host: '127.0.0.1' });
  const where = api.app.server.address();
  if (!where || typeof where === 'string') throw new Error('not listening');
  const controller = new AbortController();
  const res = await fetch(`http://127.0.0.1:${where.port}${target.url}`, {
    headers: session ? { cookie: session.headers.cookie } : {},
    signal: controller.signal,
    redirect: 'manual',
  });
  controller.abort();
  return res.status;
}

async function call(method: string, row: Row, s: MatrixSchool, who: Who | null, session: SignedIn | null) {
  const target = await row.build(s, who ?? 'comms');
  if (row.stream)
    return { statusCode: await streamStatus(target, session), headers: {} as Record<string, unknown> };
  const res = await send(method, target, session);
  return { statusCode: res.statusCode, headers: res.headers as Record<string, unknown>, body: res.body };
}

const defaultSignedOut = (url: string): 401 | 303 =>
  url.startsWith('/api/') || url.startsWith('/auth/') ? 401 : 303;

describe('the route table', () => {
  it('classifies every registered route (a new route must be added to TABLE)', () => {
    expect(registered.length).toBeGreaterThan(100);
    const missing = registered.filter((r) => !rowFor(r.method, r.url)).map((r) => `${r.method} ${r.url}`);
    expect(missing).toEqual([]);
  });

  it('lists no route that is not registered', () => {
    const known = new Set(registered.map((r) => `${r.method} ${r.url}`));
    expect(Object.keys(TABLE).filter((k) => !known.has(k))).toEqual([]);
  });
});

const entries = Object.entries(TABLE).map(([key, row]) => {
  const [method, url] = key.split(' ') as [string, string];
  return { key, method, url, row };
});

describe.each(entries)('$key', ({ method, url, row }) => {
  if (row.allowed === 'public') {
    it(`answers signed-out callers ${row.anon}`, async () => {
      const res = await call(method, row, a, null, null);
      expect(res.statusCode).toBe(row.anon);
    });
    return;
  }
  const allowed: readonly Who[] = row.allowed === 'any' ? WHO : row.allowed;
  const refused = WHO.filter((w) => !allowed.includes(w));
  const signedOut = row.signedOut ?? defaultSignedOut(url);

  it(`refuses a signed-out caller with ${signedOut === 303 ? 'a 303 to /login' : '401'}`, async () => {
    const res = await call(method, row, a, null, null);
    expect(res.statusCode).toBe(signedOut);
    if (signedOut === 303) expect(res.headers.location).toBe('/login');
  });

  if (refused.length) {
    it.each(refused)('refuses %s with 403', async (who) => {
      const res = await call(method, row, a, who, sessions[who]);
      expect(res.statusCode).toBe(403);
    });
  }

  if (row.scoped) {
    it.each(row.scoped === true ? WHO : row.scoped)(
      "answers %s of school A 404 for school B's object",
      async (who) => {
        const res = await call(method, row, b, who, sessions[who]);
        expect(res.statusCode).toBe(404);
      },
    );
  }

  it.each(allowed)('lets %s through', async (who) => {
    const session = row.freshSession ? await signIn(t.db, a.users[who].id) : sessions[who];
    const res = await call(method, row, a, who, session);
    const accepted = res.statusCode < 400 || [409, 422, ...(row.alsoAccept ?? [])].includes(res.statusCode);
    expect(accepted, `${res.statusCode} ${String(res.body ?? '').slice(0, 300)}`).toBe(true);
    if (res.statusCode === 303) expect(res.headers.location).not.toBe('/login');
  });
});

describe('/admin/queues (Bull Board, every route the library registers)', () => {
  it('refuses signed-out callers and every role but trust admin', async () => {
    const board = registered.filter((r) => r.url === BOARD || r.url.startsWith(`${BOARD}/`));
    expect(board.length).toBeGreaterThan(10);
    for (const { method, url } of board) {
      const row = boardRow(method, url);
      const out = await call(method, row, a, null, null);
      expect(out.statusCode, `${method} ${url} signed out`).toBe(row.signedOut);
      for (const who of WHO.filter((w) => w !== 'trust_admin')) {
        const res = await call(method, row, a, who, sessions[who]);
        expect(res.statusCode, `${method} ${url} as ${who}`).toBe(403);
      }
      const res = await call(method, row, a, 'trust_admin', sessions.trust_admin);
      expect([401, 403], `${method} ${url} as trust admin`).not.toContain(res.statusCode);
    }
  });
});

describe('bulk acknowledgement', () => {
  it.each(WHO)("acknowledges for %s only what the verb allows, and never school B's comment", async (who) => {
    const res = await send(
      'POST',
      { url: '/api/inbox/acknowledge', json: { commentIds: [a.comment.id, b.comment.id] } },
      sessions[who],
    );
    expect(res.statusCode).toBe(200);
    const { results } = res.json() as { results: { commentId: string; ok: boolean; message?: string }[] };
    const mine = results.find((r) => r.commentId === a.comment.id);
    const theirs = results.find((r) => r.commentId === b.comment.id);
    expect(mine?.ok).toBe((RESPONDERS as readonly Who[]).includes(who));
    expect(theirs).toMatchObject({ ok: false, message: 'That comment was not found' });
  });
});
