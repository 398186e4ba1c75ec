import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { SCHOOL_ROLES } from '../../../db/schema/index.js';
import { disableUser } from '../../auth/disable-user.js';
import { enableUser } from '../../auth/enable-user.js';
import { grantRole } from '../../auth/grant-role.js';
import { inviteUser } from '../../auth/invite-user.js';
import { listUsers } from '../../auth/list-users.js';
import { revokeRole } from '../../auth/revoke-role.js';
import { setPassword } from '../../auth/set-password.js';

const userParams = z.object({ userId: z.uuid() });
const roleChange = z.object({
  userId: z.string(),
  schoolId: z.string(),
  role: z.string(),
  sessionsEnded: z.number(),
});
const statusChange = z.object({ userId: z.string(), disabled: z.boolean(), sessionsEnded: z.number() });
const roleAtSchool = z.object({ schoolId: z.uuid(), role: z.enum(SCHOOL_ROLES) });

/** People and roles per school (trust admins). Every rule lives in the verbs. */
export const userRoutes: FastifyPluginAsyncZod = async (app) => {
  const tags = ['users'];

  app.get(
    '/api/users',
    {
      schema: {
        tags,
        summary: 'The people at the schools where you are trust admin, and invited people with no role yet',
        response: {
          200: z.object({
            users: z.array(
              z.object({
                id: z.string(),
                email: z.string(),
                displayName: z.string(),
                disabled: z.boolean(),
                ssoLinked: z.boolean(),
                hasPassword: z.boolean(),
                roles: z.array(z.object({ schoolId: z.string(), role: z.string() })),
              }),
            ),
          }),
        },
      },
    },
    async (request) => ({ users: await listUsers(request.ctx) }),
  );

  app.post(
    '/api/users',
    {
      schema: {
        tags,
        summary: 'Invite a person: no password; they sign in with SSO or a password a trust admin sets',
        body: z.object({
          email: z.email().max(320),
          displayName: z.string().min(1).max(200),
          roles: z.array(roleAtSchool).max(100).default([]),
          _csrf: z.string().optional(),
        }),
        response: {
          201: z.object({
            id: z.string(),
            email: z.string(),
            displayName: z.string(),
            trustId: z.string(),
            roles: z.array(z.object({ schoolId: z.string(), role: z.string() })),
          }),
        },
      },
    },
    async (request, reply) => {
      const { _csrf, ...input } = request.body;
      const user = await inviteUser(request.ctx, input);
      return reply.status(201).send(user);
    },
  );

  app.post(
    '/api/users/:userId/roles',
    {
      schema: {
        tags,
        summary: "Grant a role at a school; ends the person's sessions",
        params: userParams,
        body: roleAtSchool.extend({ _csrf: z.string().optional() }),
        response: { 201: roleChange },
      },
    },
    async (request, reply) => {
      const { schoolId, role } = request.body;
      const change = await grantRole(request.ctx, { userId: request.params.userId, schoolId, role });
      return reply.status(201).send(change);
    },
  );

  app.delete(
    '/api/users/:userId/roles/:schoolId/:role',
    {
      schema: {
        tags,
        summary: "Revoke a role at a school; ends the person's sessions",
        params: userParams.extend({ schoolId: z.uuid(), role: z.enum(SCHOOL_ROLES) }),
        response: { 200: roleChange },
      },
    },
    async (request) => revokeRole(request.ctx, request.params),
  );

  const statusBody = z
    .object({ reason: z.string().max(500).optional(), _csrf: z.string().optional() })
    .nullish();

  app.post(
    '/api/users/:userId/disable',
    {
      schema: {
        tags,
        summary: 'Disable a person: they cannot sign in and every session they have ends now',
        params: userParams,
        body: statusBody,
        response: { 200: statusChange },
      },
    },
    async (request) =>
      disableUser(request.ctx, { userId: request.params.userId, reason: request.body?.reason }),
  );

  app.post(
    '/api/users/:userId/enable',
    {
      schema: {
        tags,
        summary: 'Let a disabled person sign in again',
        params: userParams,
        body: statusBody,
        response: { 200: statusChange },
      },
    },
    async (request) =>
      enableUser(request.ctx, { userId: request.params.userId, reason: request.body?.reason }),
  );

  app.put(
    '/api/users/:userId/password',
    {
      schema: {
        tags,
        summary:
          "Set a password: your own (with the current one), or, as trust admin, someone else's; ends their sessions",
        params: userParams,
        body: z.object({
          newPassword: z.string().max(1024),
          currentPassword: z.string().max(1024).optional(),
          _csrf: z.string().optional(),
        }),
        response: { 200: z.object({ userId: z.string(), sessionsEnded: z.number() }) },
      },
    },
    async (request) =>
      setPassword(request.ctx, {
        userId: request.params.userId,
        newPassword: request.body.newPassword,
        currentPassword: request.body.currentPassword,
      }),
  );
};
