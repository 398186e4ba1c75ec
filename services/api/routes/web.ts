import { readFileSync } from 'node:fs';
import { inArray } from 'drizzle-orm';
import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { socialAccounts } from '../../../db/schema/index.js';
import { principalSchoolIds } from '../../auth/load-principal.js';
import { inboxPeople } from '../../comments/inbox-people.js';
import { inboxFilterSchema, inboxPageSchema, listInbox, listInboxJson } from '../../comments/list-inbox.js';
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

/** What the inbox says after a bulk acknowledgement: numbers only, the rest fixed text. */
function bulkNotice(params: URLSearchParams): string | undefined {
  const verbs = {
    acknowledged: 'Acknowledged',
    assigned: 'Assigned',
    unassigned: 'Unassigned',
    closed: 'Closed',
  };
  if (params.has('select')) return 'Nothing was done: select at least one comment first.';
  if (params.has('reason')) return 'Nothing was closed: say why no response is needed.';
  const which = (Object.keys(verbs) as (keyof typeof verbs)[]).find((k) => params.has(k));
  if (!which) return undefined;
  const done = Number(params.get(which));
  const refused = Number(params.get('refused') ?? 0);
  if (!Number.isInteger(done) || !Number.isInteger(refused) || done < 0 || refused < 0) return undefined;
  const verb = verbs[which];
  return `${verb} ${done} comment${done === 1 ? '' : 's'}${refused > 0 ? `; ${refused} could not be ${verb.toLowerCase()}` : ''}.`;
}

/** The staff UI's pages and its static files; pages render on the server, escaped throughout. */
export const webRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/static/:file',
    { schema: { hide: true, params: z.object({ file: z.string().max(50) }) }, config: { signIn: false } },
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
        // Documents the answer; the body itself is JSON rendered by Postgres (listInboxJson), sent
        // as is rather than decoded into objects and re-encoded through zod on every request.
        response: { 200: inboxPageSchema },
      },
    },
    async (request, reply) => {
      const json = await listInboxJson(request.ctx, request.query, app.inboxPages);
      // A string with a JSON content type goes out as it is, past the zod serializer.
      return (reply as FastifyReply).type('application/json; charset=utf-8').send(json);
    },
  );

  app.get('/', { schema: { hide: true, querystring: inboxFilterSchema } }, async (request, reply) => {
    const [page, accounts, people] = await Promise.all([
      listInbox(request.ctx, request.query),
      app.db
        .select({ id: socialAccounts.id, handle: socialAccounts.handle })
        .from(socialAccounts)
        .where(inArray(socialAccounts.schoolId, principalSchoolIds(request.principal!))),
      inboxPeople(request.ctx),
    ]);
    const html = await InboxPage({
      userName: request.principal!.displayName,
      ...(await app.pageChrome(request)),
      notice: bulkNotice(new URL(request.url, 'http://local').searchParams),
      items: page.items,
      next: page.next,
      filter: {
        status: request.query.status,
        category: request.query.category || undefined,
        accountId: request.query.accountId || undefined,
        assignee: request.query.assignee || undefined,
        platform: request.query.platform || undefined,
        q: request.query.q?.trim() || undefined,
      },
      accounts,
      people,
      now: new Date(),
    });
    return reply
      .header('content-type', 'text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .send(html);
  });
};
