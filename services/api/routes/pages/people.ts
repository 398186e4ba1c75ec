import { z } from 'zod';
import { SCHOOL_ROLES } from '../../../../db/schema/index.js';
import { listSchoolStaff } from '../../../accounts/list-school-staff.js';
import { disableUser } from '../../../auth/disable-user.js';
import { enableUser } from '../../../auth/enable-user.js';
import { grantRole } from '../../../auth/grant-role.js';
import { inviteUser } from '../../../auth/invite-user.js';
import { listUsers } from '../../../auth/list-users.js';
import { revokeRole } from '../../../auth/revoke-role.js';
import { hasRole } from '../../../core/principal.js';
import { PeoplePage, ROLE_NAMES } from '../../../web/pages/people-page.js';
import { formBody, formField, pageRoutes, renderPage, runForm } from '../../page-kit.js';

const userParams = z.object({ userId: z.uuid() });
const role = formField.choice(SCHOOL_ROLES);
const roleAtSchool = formBody({ schoolId: formField.text(100), role });
const reasonBody = formBody({ reason: formField.optionalText(500) });
const roleName = (r: string) => (ROLE_NAMES[r] ?? r).toLowerCase();

/** People and roles (trust admins): the screen over the same verbs as /api/users, audited there. */
export const peoplePageRoutes = pageRoutes(async (app) => {
  app.get('/people', async (request, reply) =>
    renderPage(request, reply, async (base) => {
      const principal = request.principal!;
      const [people, staff] = await Promise.all([listUsers(request.ctx), listSchoolStaff(request.ctx)]);
      return PeoplePage({
        ...base,
        userId: principal.userId,
        people,
        schools: staff
          .filter((s) => hasRole(principal, s.schoolId, ['trust_admin']))
          .map((s) => ({ id: s.schoolId, name: s.schoolName })),
      });
    }),
  );

  app.post(
    '/people/invite',
    {
      schema: {
        body: formBody({
          displayName: formField.text(200),
          email: formField.text(320),
          role: formField.optionalText(40),
          schoolId: formField.text(100),
        }),
      },
    },
    async (request, reply) =>
      runForm(reply, '/people', async () => {
        const { displayName, email, role: first, schoolId } = request.body;
        const user = await inviteUser(request.ctx, {
          displayName,
          email: email.trim(),
          roles: first ? [{ schoolId, role: first as (typeof SCHOOL_ROLES)[number] }] : [],
        });
        return `Invited ${user.displayName} (${user.email})`;
      }),
  );

  app.post(
    '/people/:userId/roles',
    { schema: { params: userParams, body: roleAtSchool } },
    async (request, reply) =>
      runForm(reply, '/people', async () => {
        const change = await grantRole(request.ctx, { userId: request.params.userId, ...request.body });
        return `Granted ${roleName(change.role)}; ${change.sessionsEnded} session${change.sessionsEnded === 1 ? '' : 's'} ended`;
      }),
  );

  app.post(
    '/people/:userId/roles/revoke',
    { schema: { params: userParams, body: roleAtSchool } },
    async (request, reply) =>
      runForm(reply, '/people', async () => {
        const change = await revokeRole(request.ctx, { userId: request.params.userId, ...request.body });
        return `Revoked ${roleName(change.role)}; ${change.sessionsEnded} session${change.sessionsEnded === 1 ? '' : 's'} ended`;
      }),
  );

  app.post(
    '/people/:userId/disable',
    { schema: { params: userParams, body: reasonBody } },
    async (request, reply) =>
      runForm(reply, '/people', async () => {
        const change = await disableUser(request.ctx, {
          userId: request.params.userId,
          reason: request.body.reason,
        });
        return `Disabled: they can no longer sign in; ${change.sessionsEnded} session${change.sessionsEnded === 1 ? '' : 's'} ended`;
      }),
  );

  app.post(
    '/people/:userId/enable',
    { schema: { params: userParams, body: reasonBody } },
    async (request, reply) =>
      runForm(reply, '/people', async () => {
        await enableUser(request.ctx, { userId: request.params.userId, reason: request.body.reason });
        return 'Enabled: they can sign in again';
      }),
  );
});
