import { readFileSync } from 'node:fs';
import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { inboxFilterSchema, inboxPageSchema, listInboxJson } from '../../comments/list-inbox.js';

const STATIC_FILES: Record<string, { type: string; body: Buffer }> = Object.fromEntries(
  [
    ['app.css', 'text/css; charset=utf-8'],
    ['app.js', 'text/javascript; charset=utf-8'],
    ['favicon.svg', 'image/svg+xml'],
    ['bull-board.css', 'text/css; charset=utf-8'],
    ['bull-board.js', 'text/javascript; charset=utf-8'],
  ].map(([name, type]) => [
    name,
    { type: type!, body: readFileSync(new URL(`../../web/static/${name}`, import.meta.url)) },
  ]),
);

/** The staff UI's static files and the inbox's JSON twin. */
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
};
