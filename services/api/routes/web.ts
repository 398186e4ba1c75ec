import { readFileSync } from 'node:fs';
import { inArray } from 'drizzle-orm';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { socialAccounts } from '../../../db/schema/index.js';
import { principalSchoolIds } from '../../auth/load-principal.js';
import { inboxFilterSchema, listInbox } from '../../comments/list-inbox.js';
import { InboxPage } from '../../web/pages/inbox-page.js';

const STATIC_FILES: Record<string, { type: string; body: Buffer }> = Object.fromEntries(
  [
    ['app.css', 'text/css; charset=utf-8'],
    ['app.js', 'text/javascript; charset=utf-8'],
  ].map(([name, type]) => [
    name,
    { type: type!, body: readFileSync(new URL(`../../web/static/${name}`, import.meta.url)) },
  ]),
);

const inboxItem = z.object({
  id: z.string(),
  schoolId: z.string(),
  accountId: z.string(),
  accountHandle: z.string(),
  authorHandle: z.string(),
  authorName: z.string(),
  text: z.string(),
  url: z.string().nullable(),
  postedAt: z.date(),
  status: z.string(),
  deadlineAt: z.date().nullable(),
  breachedAt: z.date().nullable(),
  labels: z.array(
    z.object({
      category: z.string(),
      subcategory: z.string(),
      severity: z.string(),
      spans: z.array(z.tuple([z.number(), z.number()])),
    }),
  ),
  assigneeId: z.string().nullable(),
  redacted: z.boolean(),
});

/** The staff UI's pages and its static files; pages render on the server, escaped throughout. */
export const webRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/static/:file',
    { schema: { hide: true, params: z.object({ file: z.string().max(50) }) } },
    async (request, reply) => {
      const file = STATIC_FILES[request.params.file];
      if (!file) return reply.status(404).send({ error: 'NOT_FOUND', message: 'No such file' });
      return reply
        .header('content-type', file.type)
        .header('cache-control', 'public, max-age=300')
        .send(file.body);
    },
  );

  app.get(
    '/api/inbox',
    {
      schema: {
        tags: ['comments'],
        summary: "The signed-in user's inbox: comments of their schools, soonest deadline first",
        querystring: inboxFilterSchema,
        response: { 200: z.object({ items: z.array(inboxItem), next: z.string().nullable() }) },
      },
      preHandler: app.requireUser,
    },
    async (request) => listInbox(request.ctx, request.query),
  );

  app.get('/', { schema: { hide: true, querystring: inboxFilterSchema } }, async (request, reply) => {
    if (!request.principal) return reply.redirect('/login', 303);
    await app.requireUser(request, reply);
    const [page, accounts] = await Promise.all([
      listInbox(request.ctx, request.query),
      app.db
        .select({ id: socialAccounts.id, handle: socialAccounts.handle })
        .from(socialAccounts)
        .where(inArray(socialAccounts.schoolId, principalSchoolIds(request.principal))),
    ]);
    const html = await InboxPage({
      userName: request.principal.displayName,
      csrfToken: request.sessionCsrfToken ?? '',
      items: page.items,
      next: page.next,
      filter: {
        status: request.query.status,
        category: request.query.category,
        accountId: request.query.accountId,
      },
      accounts,
      now: new Date(),
    });
    return reply
      .header('content-type', 'text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .send(html);
  });
};
