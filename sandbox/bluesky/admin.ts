import type { FastifyInstance, FastifyRequest } from 'fastify';
import { adminHandler, adminInput, bad } from '../core/admin.js';
import type { SandboxRateLimits } from '../core/rate-limits.js';
import { type BlueskyState, POST, type RepoRecord } from './state.js';

// Bluesky's helpers for tests and the demo, under /sandbox/bluesky/ so nothing mistakes them for
// XRPC: actors and their app passwords (and revoking one), posts as anyone, expiring sessions,
// raw notifications (a malformed item), the threadgate limit, and what the platform holds about
// a post or an actor (hidden, deleted, muted, blocked, reported).

export interface BlueskySandbox {
  state: BlueskyState;
  rateLimits: SandboxRateLimits;
}

export function postAdminView(state: BlueskyState, record: RepoRecord) {
  const reply = record.value.reply as { root?: { uri: string }; parent?: { uri: string } } | undefined;
  return {
    uri: record.uri,
    cid: record.cid,
    author: state.actors.get(record.did)?.handle ?? record.did,
    authorDid: record.did,
    text: typeof record.value.text === 'string' ? record.value.text : null,
    rootUri: reply?.root?.uri ?? null,
    parentUri: reply?.parent?.uri ?? null,
    createdAt: record.value.createdAt,
    isDeleted: record.deleted,
    isHidden: state.isHidden(record.uri),
    reports: state.reports.filter((r) => r.subject.uri === record.uri).length,
  };
}

export function actorAdminView(state: BlueskyState, ref: string, viewer?: string) {
  const actor = state.requireActor(ref);
  const by = viewer === undefined ? undefined : state.requireActor(viewer);
  return {
    did: actor.did,
    handle: actor.handle,
    displayName: actor.displayName,
    appPasswords: actor.appPasswords.size,
    ...(by
      ? {
          mutedBy: state.mutesOf(by.did).has(actor.did),
          blockedBy: state.blockOf(by.did, actor.did) !== undefined,
        }
      : {}),
  };
}

type WithUri = FastifyRequest<{ Querystring: { uri?: string } }>;

export async function blueskyAdmin(admin: FastifyInstance, deps: BlueskySandbox): Promise<void> {
  const { state } = deps;

  admin.post(
    '/actors',
    adminHandler(async (request: FastifyRequest, reply) => {
      const { str } = adminInput(request.body);
      const handle = str('handle');
      if (!handle) return bad(reply, 'handle is required');
      const displayName = str('displayName');
      const appPassword = str('appPassword');
      const made = state.addActor({
        handle,
        ...(displayName === undefined ? {} : { displayName }),
        ...(appPassword === undefined ? {} : { appPassword }),
      });
      return reply.send({ did: made.actor.did, handle: made.actor.handle, appPassword: made.appPassword });
    }),
  );

  admin.get(
    '/actors/:ref',
    adminHandler(
      async (request: FastifyRequest<{ Params: { ref: string }; Querystring: { viewer?: string } }>, reply) =>
        reply.send(actorAdminView(state, request.params.ref, request.query.viewer)),
    ),
  );

  admin.post(
    '/actors/:ref/revoke-app-password',
    adminHandler(async (request: FastifyRequest<{ Params: { ref: string } }>, reply) => {
      const { str } = adminInput(request.body);
      const actor = state.requireActor(request.params.ref);
      const password = str('appPassword');
      if (!password) return bad(reply, 'appPassword is required');
      return reply.send({ revoked: state.revokeAppPassword(actor, password) });
    }),
  );

  admin.post(
    '/actors/:ref/expire-sessions',
    adminHandler(async (request: FastifyRequest<{ Params: { ref: string } }>, reply) =>
      reply.send({ expired: state.expireAccessTokens(state.requireActor(request.params.ref).did) }),
    ),
  );

  admin.get(
    '/actors/:ref/posts',
    adminHandler(
      async (
        request: FastifyRequest<{ Params: { ref: string }; Querystring: { limit?: string } }>,
        reply,
      ) => {
        const actor = state.requireActor(request.params.ref);
        const limit = Number(request.query.limit ?? '20');
        const posts = state
          .postsBy(actor.did)
          .filter((p) => p.value.reply === undefined)
          .slice(-Math.max(1, limit));
        return reply.send(posts.map((p) => postAdminView(state, p)));
      },
    ),
  );

  /** { author, text, replyTo?, quote? }: someone posts */
  admin.post(
    '/posts',
    adminHandler(async (request: FastifyRequest, reply) => {
      const { str } = adminInput(request.body);
      const author = str('author');
      const text = str('text');
      if (!author || text === undefined) return bad(reply, 'author and text are required');
      const replyTo = str('replyTo');
      const quote = str('quote');
      const record = state.post({
        author,
        text,
        ...(replyTo === undefined ? {} : { replyTo }),
        ...(quote === undefined ? {} : { quote }),
      });
      return reply.send(postAdminView(state, record));
    }),
  );

  admin.get(
    '/post',
    adminHandler(async (request: WithUri, reply) => {
      const record = state.records.get(request.query.uri ?? '');
      if (!record || record.collection !== POST) return reply.code(404).send({ error: 'no such post' });
      return reply.send(postAdminView(state, record));
    }),
  );

  admin.delete(
    '/post',
    adminHandler(async (request: WithUri, reply) =>
      reply.send({ deleted: state.deleteRecord(request.query.uri ?? '') }),
    ),
  );

  /** { recipient, notification }: a notification exactly as given, for a malformed item */
  admin.post(
    '/notifications/raw',
    adminHandler(async (request: FastifyRequest, reply) => {
      const { input, str } = adminInput(request.body);
      const recipient = state.requireActor(str('recipient') ?? '');
      const raw = input.notification as Record<string, unknown> | undefined;
      if (!raw || typeof raw !== 'object') return bad(reply, 'notification is required');
      const n = state.addNotification({
        recipient: recipient.did,
        uri: typeof raw.uri === 'string' ? raw.uri : `at://${recipient.did}/${POST}/${state.nextRkey()}`,
        reason: 'mention',
        raw,
      });
      return reply.send({ seq: n.seq });
    }),
  );

  admin.get('/reports', async () =>
    state.reports.map((r) => ({ ...r, createdAt: r.createdAt.toISOString() })),
  );

  /** { hiddenRepliesLimit?, accessTtlSeconds? } */
  admin.post(
    '/settings',
    adminHandler(async (request: FastifyRequest, reply) => {
      const { input } = adminInput(request.body);
      if (typeof input.hiddenRepliesLimit === 'number') state.hiddenRepliesLimit = input.hiddenRepliesLimit;
      if (typeof input.accessTtlSeconds === 'number') state.accessTtlSeconds = input.accessTtlSeconds;
      return reply.send({
        hiddenRepliesLimit: state.hiddenRepliesLimit,
        accessTtlSeconds: state.accessTtlSeconds,
      });
    }),
  );

  admin.post('/rate-limits/reset', async () => {
    deps.rateLimits.reset();
    return { reset: true };
  });
}
