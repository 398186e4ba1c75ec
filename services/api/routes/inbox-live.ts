import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  bulkAssign,
  bulkAssignInputSchema,
  bulkClose,
  bulkCloseInputSchema,
} from '../../comments/bulk-triage.js';
import { INBOX_POLL_MS, InboxEventHub } from '../../comments/inbox-events.js';
import type { InboxItem } from '../../comments/list-inbox.js';
import { respond } from '../../comments/respond.js';
import { ServiceError } from '../../core/service-error.js';

/** A heartbeat comment keeps proxies from closing an idle stream. */
const HEARTBEAT_MS = 15_000;
/**
 * A stream ends after this long and the browser reconnects (EventSource does so by itself), so a
 * signed-out or disabled person's stream outlives their session by at most this much.
 */
const STREAM_MAX_MS = 5 * 60_000;
const MAX_BULK = 200;

declare module 'fastify' {
  interface FastifyInstance {
    inboxEvents: InboxEventHub;
  }
}

function eventOf(item: InboxItem): string {
  const data = JSON.stringify({
    ...item,
    postedAt: item.postedAt.toISOString(),
    deadlineAt: item.deadlineAt?.toISOString() ?? null,
    breachedAt: item.breachedAt?.toISOString() ?? null,
  });
  return `event: comment\nid: ${item.id}\ndata: ${data}\n\n`;
}

const bulkBody = z.object({
  _csrf: z.string().max(200).optional(),
  commentIds: z.union([z.uuid(), z.array(z.uuid()).min(1).max(MAX_BULK)]),
});

/**
 * The live inbox: server-sent events of newly processed comments (GET /api/inbox/events) and bulk
 * acknowledgement (each selected comment is sent the school's holding reply through `respond`; it
 * meets the deadline when the platform confirms it, and the comment waits in the follow-up queue).
 */
export const inboxLiveRoutes: FastifyPluginAsyncZod = async (app) => {
  const hub = new InboxEventHub(app.db, INBOX_POLL_MS);
  app.decorate('inboxEvents', hub);
  const streams = new Set<() => void>();
  // Streams never finish by themselves: end them before the server waits for open connections.
  app.addHook('preClose', async () => {
    for (const end of [...streams]) end();
    hub.close();
  });

  app.get(
    '/api/inbox/events',
    {
      schema: {
        tags: ['comments'],
        summary:
          'Server-sent events: each newly processed open comment of your schools, as `event: comment` with the inbox item as data',
      },
    },
    async (request, reply) => {
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
        'x-content-type-options': 'nosniff',
      });
      res.write(`retry: 5000\n: connected\n\n`);
      const unsubscribe = hub.subscribe(request.ctx.schoolIds, (item) => {
        res.write(eventOf(item));
      });
      const heartbeat = setInterval(() => res.write(': heartbeat\n\n'), HEARTBEAT_MS);
      const lifetime = setTimeout(() => end(), STREAM_MAX_MS);
      let ended = false;
      const end = () => {
        if (ended) return;
        ended = true;
        clearInterval(heartbeat);
        clearTimeout(lifetime);
        unsubscribe();
        streams.delete(end);
        res.end();
      };
      streams.add(end);
      request.raw.on('close', end);
      res.on('error', end);
    },
  );

  const effects = app.deps.commentEffects;

  async function acknowledgeAll(request: Parameters<typeof respond>[0], ids: string[]) {
    const results: { commentId: string; ok: boolean; metDeadline: boolean | null; message?: string }[] = [];
    for (const commentId of [...new Set(ids)]) {
      try {
        const r = await respond(request, commentId, { kind: 'acknowledgement' }, effects);
        results.push({ commentId, ok: true, metDeadline: r.metDeadline });
      } catch (error) {
        if (!(error instanceof ServiceError)) throw error;
        results.push({ commentId, ok: false, metDeadline: null, message: error.message });
      }
    }
    return results;
  }

  app.post(
    '/api/inbox/acknowledge',
    {
      schema: {
        tags: ['comments'],
        summary:
          "Acknowledge several comments at once: each is sent the school's holding reply through the reply path (P2), and stays in the follow-up queue until answered in full",
        body: bulkBody,
      },
    },
    async (request) => {
      const ids = Array.isArray(request.body.commentIds)
        ? request.body.commentIds
        : [request.body.commentIds];
      return { results: await acknowledgeAll(request.ctx, ids) };
    },
  );

  app.post(
    '/api/inbox/assign',
    {
      schema: {
        tags: ['comments'],
        summary:
          'Assign several comments to one person (or clear with null); any id you may not see refuses the whole request (404)',
        body: bulkAssignInputSchema,
      },
    },
    async (request) => bulkAssign(request.ctx, request.body),
  );

  app.post(
    '/api/inbox/close',
    {
      schema: {
        tags: ['comments'],
        summary:
          'Close several comments as needing no response, with one reason; any id you may not see refuses the whole request (404)',
        body: bulkCloseInputSchema,
      },
    },
    async (request) => bulkClose(request.ctx, request.body, effects),
  );

  app.post('/inbox/acknowledge', { schema: { hide: true, body: bulkBody } }, async (request, reply) => {
    const ids = Array.isArray(request.body.commentIds) ? request.body.commentIds : [request.body.commentIds];
    const results = await acknowledgeAll(request.ctx, ids);
    const ok = results.filter((r) => r.ok).length;
    return reply.redirect(`/?acknowledged=${ok}&refused=${results.length - ok}`, 303);
  });
};
