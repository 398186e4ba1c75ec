import type { FastifyInstance, FastifyRequest } from 'fastify';
import { adminHandler, adminInput, bad } from '../core/admin.js';
import type { MetaFaults } from './api-routes.js';
import type { FbComment, FbPost, IgComment, IgMedia, MetaState } from './state.js';
import type { MetaUsage, MetaUsageLimits } from './usage.js';
import type { MetaWebhooks, WebhookSettings } from './webhooks.js';

// Meta's helpers for tests and the demo, under /sandbox/meta/ so nothing mistakes them for
// Graph: people, Pages (with their Instagram account), posts, media, comments, tokens and their
// revocation, webhooks, usage limits and Graph error faults, and any object as the platform holds
// it (hidden, deleted, who is banned).

export interface MetaSandbox {
  state: MetaState;
  webhooks: MetaWebhooks;
  usage: MetaUsage;
  faults: MetaFaults;
}

export function adminObject(state: MetaState, id: string): Record<string, unknown> | null {
  const post = state.posts.get(id);
  if (post) return { type: 'post', ...postView(post) };
  const comment = state.comments.get(id);
  if (comment) return { type: 'comment', ...commentView(comment) };
  const media = state.media.get(id);
  if (media) return { type: 'ig_media', ...mediaView(media) };
  const igComment = state.igComments.get(id);
  if (igComment) return { type: 'ig_comment', ...igCommentView(igComment) };
  const page = state.pages.get(id);
  if (page)
    return {
      type: 'page',
      id: page.id,
      name: page.name,
      adminIds: page.adminIds,
      igUserId: page.igUserId,
      banned: [...page.banned],
    };
  const person = state.people.get(id);
  if (person) return { type: 'person', ...person };
  const actor = state.igActors.get(id);
  if (actor) return { type: 'ig_user', ...actor };
  return null;
}

export const postView = (p: FbPost) => ({
  id: p.id,
  pageId: p.pageId,
  fromId: p.fromId,
  message: p.message,
  createdAt: p.createdAt.toISOString(),
  isDeleted: p.deleted,
});

export const commentView = (c: FbComment) => ({
  id: c.id,
  postId: c.postId,
  parentId: c.parentId,
  fromId: c.fromId,
  message: c.message,
  createdAt: c.createdAt.toISOString(),
  isHidden: c.hidden,
  isDeleted: c.deleted,
  replyIds: c.replyIds,
});

export const mediaView = (m: IgMedia) => ({
  id: m.id,
  ownerId: m.ownerId,
  caption: m.caption,
  createdAt: m.createdAt.toISOString(),
  isDeleted: m.deleted,
});

export const igCommentView = (c: IgComment) => ({
  id: c.id,
  mediaId: c.mediaId,
  parentId: c.parentId,
  fromId: c.fromId,
  text: c.text,
  createdAt: c.createdAt.toISOString(),
  isHidden: c.hidden,
  isDeleted: c.deleted,
  replyIds: c.replyIds,
  mentionIds: c.mentionIds,
});

const WEBHOOK_KEYS: (keyof WebhookSettings)[] = [
  'callbackUrl',
  'appSecret',
  'verifyToken',
  'auto',
  'drop',
  'dropRate',
  'duplicate',
  'reorder',
  'delayMs',
  'badSignature',
  'batch',
  'retries',
  'retryDelayMs',
  'concurrency',
];

/** registered inside the /sandbox scope with prefix /meta */
export async function metaAdmin(admin: FastifyInstance, meta: MetaSandbox): Promise<void> {
  const { state, webhooks, usage, faults } = meta;
  const optional = (str: (key: string) => string | undefined, key: string) =>
    str(key) === undefined ? {} : { [key]: str(key) };

  admin.get('/state', async () => state.summary());
  admin.post(
    '/apps',
    adminHandler(async (request: FastifyRequest, reply) => {
      const { str } = adminInput(request.body);
      const id = str('id');
      const secret = str('secret');
      if (!id || !/^\d{1,20}$/.test(id) || !secret) return bad(reply, 'id (digits) and secret are required');
      return reply.code(201).send(state.createApp({ id, secret, ...optional(str, 'name') }));
    }),
  );
  admin.post(
    '/people',
    adminHandler(async (request: FastifyRequest, reply) => {
      const { str } = adminInput(request.body);
      const name = str('name');
      if (!name) return bad(reply, 'name is required');
      return reply.code(201).send(state.createPerson({ name, ...optional(str, 'id') }));
    }),
  );
  admin.post(
    '/pages',
    adminHandler(async (request: FastifyRequest, reply) => {
      const { input, str } = adminInput(request.body);
      const name = str('name');
      if (!name) return bad(reply, 'name is required');
      const admins = Array.isArray(input.admins) ? input.admins.map(String) : [];
      const ig = input.instagram as { username?: unknown; id?: unknown } | undefined;
      const page = state.createPage({
        name,
        admins,
        ...optional(str, 'id'),
        ...optional(str, 'category'),
        ...(ig && typeof ig.username === 'string'
          ? { instagram: { username: ig.username, ...(typeof ig.id === 'string' ? { id: ig.id } : {}) } }
          : {}),
      });
      return reply.code(201).send(adminObject(state, page.id));
    }),
  );
  admin.post(
    '/posts',
    adminHandler(async (request: FastifyRequest, reply) => {
      const { str } = adminInput(request.body);
      const page = str('page');
      const message = str('message');
      if (!page || !message) return bad(reply, 'page and message are required');
      return reply.code(201).send(postView(state.createPost({ page, message, ...optional(str, 'from') })));
    }),
  );
  admin.get(
    '/posts',
    adminHandler(async (request: FastifyRequest, reply) => {
      const q = new URL(request.url, 'http://sandbox.invalid').searchParams;
      const page = state.page(q.get('page') ?? '');
      if (!page) return bad(reply, 'page must be an existing Page');
      const limit = Math.max(1, Number(q.get('limit') ?? '20') || 20);
      const own = state.postsOf(page.id).filter((p) => !p.deleted && p.fromId === page.id);
      return reply.send(own.slice(-limit).map(postView));
    }),
  );
  admin.post(
    '/preload',
    adminHandler(async (request: FastifyRequest, reply) => {
      const { input } = adminInput(request.body);
      const { pages, postsPerPage, commentsPerPost } = input;
      if (
        (typeof pages !== 'number' && !Array.isArray(pages)) ||
        typeof postsPerPage !== 'number' ||
        typeof commentsPerPost !== 'number' ||
        (typeof pages === 'number' ? pages : pages.length) * postsPerPage * commentsPerPost > 1_000_000
      ) {
        return bad(
          reply,
          'pages (number or names), postsPerPage and commentsPerPost are required, at most 1,000,000 comments',
        );
      }
      const result = state.preload({
        pages: typeof pages === 'number' ? pages : pages.map(String),
        postsPerPage,
        commentsPerPost,
        ...(typeof input.people === 'number' ? { people: input.people } : {}),
      });
      return reply.code(201).send({
        pages: result.pages.map((p) => ({
          id: p.id,
          name: p.name,
          igUserId: p.igUserId,
          adminIds: p.adminIds,
        })),
        comments: result.comments,
      });
    }),
  );
  admin.post(
    '/media',
    adminHandler(async (request: FastifyRequest, reply) => {
      const { input, str } = adminInput(request.body);
      const owner = str('owner');
      const caption = str('caption');
      if (!owner || caption === undefined) return bad(reply, 'owner and caption are required');
      const tagged = Array.isArray(input.tagged) ? input.tagged.map(String) : [];
      return reply.code(201).send(mediaView(state.createMedia({ owner, caption, tagged })));
    }),
  );
  admin.get(
    '/media',
    adminHandler(async (request: FastifyRequest, reply) => {
      const q = new URL(request.url, 'http://sandbox.invalid').searchParams;
      const owner = state.igActor(q.get('owner') ?? '');
      if (!owner) return bad(reply, 'owner must be an existing Instagram account');
      const limit = Math.max(1, Number(q.get('limit') ?? '20') || 20);
      return reply.send(
        state
          .mediaOf(owner.id)
          .filter((m) => !m.deleted)
          .slice(-limit)
          .map(mediaView),
      );
    }),
  );
  /** a Facebook comment (`on` a post or comment, `message`) or an Instagram one (`on` media or comment, `text`) */
  admin.post(
    '/comments',
    adminHandler(async (request: FastifyRequest, reply) => {
      const { str } = adminInput(request.body);
      const on = str('on');
      const from = str('from');
      if (!on || !from) return bad(reply, 'on and from are required');
      if (state.posts.has(on) || state.comments.has(on)) {
        const message = str('message') ?? str('text');
        if (!message) return bad(reply, 'message is required');
        return reply.code(201).send(commentView(state.addComment({ on, from, message })));
      }
      const text = str('text') ?? str('message');
      if (!text) return bad(reply, 'text is required');
      return reply.code(201).send(igCommentView(state.addIgComment({ on, from, text })));
    }),
  );
  admin.post(
    '/comments/:id/edit',
    adminHandler(async (request: FastifyRequest<{ Params: { id: string } }>, reply) => {
      const { str } = adminInput(request.body);
      const message = str('message');
      if (!message) return bad(reply, 'message is required');
      return reply.send(commentView(state.editComment(request.params.id, message)));
    }),
  );
  admin.get('/objects/:id', async (request: FastifyRequest<{ Params: { id: string } }>, reply) => {
    const found = adminObject(state, request.params.id);
    return found ? reply.send(found) : reply.code(404).send({ error: 'no such object' });
  });
  admin.post(
    '/tokens',
    adminHandler(async (request: FastifyRequest, reply) => {
      const { input, str } = adminInput(request.body);
      const scopes = Array.isArray(input.scopes) ? { scopes: input.scopes.map(String) } : {};
      const page = str('page');
      if (page) {
        const record = state.issuePageToken(page, { ...scopes, ...optional(str, 'admin') });
        return reply
          .code(201)
          .send({ accessToken: record.token, pageId: record.pageId, userId: record.userId });
      }
      const user = str('user');
      if (!user) return bad(reply, 'user or page is required');
      const record = state.issueUserToken(user, {
        ...scopes,
        ...(typeof input.longLived === 'boolean' ? { longLived: input.longLived } : {}),
        ...(typeof input.ttlSeconds === 'number' ? { ttlSeconds: input.ttlSeconds } : {}),
      });
      return reply
        .code(201)
        .send({ accessToken: record.token, userId: record.userId, expiresAt: record.expiresAt });
    }),
  );
  admin.post(
    '/tokens/revoke',
    adminHandler(async (request: FastifyRequest, reply) => {
      const { input, str } = adminInput(request.body);
      if (!str('token') && !str('user') && !str('page')) return bad(reply, 'token, user or page is required');
      const subcode = typeof input.subcode === 'number' ? input.subcode : undefined;
      const revoked = state.revoke({
        ...optional(str, 'token'),
        ...optional(str, 'user'),
        ...optional(str, 'page'),
        ...(subcode === undefined ? {} : { subcode }),
      });
      return reply.send({ revoked });
    }),
  );
  admin.get('/webhooks', async () => ({
    settings: webhooks.settings,
    deliveries: webhooks.deliveries,
    handshakes: webhooks.handshakes,
  }));
  admin.post(
    '/webhooks',
    adminHandler(async (request: FastifyRequest, reply) => {
      const { input } = adminInput(request.body);
      if (input.reset === true) webhooks.reset();
      const settings: Partial<WebhookSettings> = {};
      for (const key of WEBHOOK_KEYS) {
        const value = input[key];
        if (value === undefined) continue;
        const expected =
          typeof webhooks.settings[key] === 'number' ? 'number' : key === 'auto' ? 'boolean' : 'string';
        const fits =
          expected === 'number'
            ? typeof value === 'number' && Number.isFinite(value) && value >= 0
            : typeof value === expected || (key === 'callbackUrl' && value === null);
        if (!fits)
          return bad(reply, `${key} must be a ${expected === 'number' ? 'number, 0 or more' : expected}`);
        (settings as Record<string, unknown>)[key] = value;
      }
      return reply.send(webhooks.configure(settings));
    }),
  );
  admin.post(
    '/webhooks/verify',
    adminHandler(async (request: FastifyRequest, reply) => {
      const { str } = adminInput(request.body);
      return reply.send(
        await webhooks.verify({ ...optional(str, 'verifyToken'), ...optional(str, 'callbackUrl') }),
      );
    }),
  );
  admin.post('/webhooks/flush', async () => {
    webhooks.flush();
    await webhooks.idle();
    return { deliveries: webhooks.deliveries.length };
  });
  admin.post(
    '/usage',
    adminHandler(async (request: FastifyRequest, reply) => {
      const { input } = adminInput(request.body);
      if (input.reset === true) usage.reset();
      const limits: Partial<MetaUsageLimits> = {};
      for (const key of ['app', 'user', 'page', 'windowSeconds'] as const) {
        if (typeof input[key] === 'number') limits[key] = input[key] as number;
      }
      usage.set(limits);
      return reply.send(usage.limits);
    }),
  );
  admin.post(
    '/faults',
    adminHandler(async (request: FastifyRequest, reply) => {
      const { input } = adminInput(request.body);
      if (input.reset === true) faults.reset();
      if (input.graphError && typeof input.graphError === 'object') {
        const fault = input.graphError as Record<string, unknown>;
        if (typeof fault.code !== 'number') return bad(reply, 'graphError.code is required');
        faults.add({
          code: fault.code,
          ...(typeof fault.subcode === 'number' ? { subcode: fault.subcode } : {}),
          ...(typeof fault.message === 'string' ? { message: fault.message } : {}),
          ...(typeof fault.status === 'number' ? { status: fault.status } : {}),
          ...(typeof fault.count === 'number' ? { count: fault.count } : {}),
          ...(typeof fault.endpoint === 'string' ? { endpoint: fault.endpoint } : {}),
        });
      }
      if (typeof input.actionBlocked === 'string') faults.actionBlocked.add(input.actionBlocked);
      if (typeof input.requireAppSecretProof === 'boolean')
        faults.requireAppSecretProof = input.requireAppSecretProof;
      return reply.send({
        graphErrors: faults.graphErrors,
        actionBlocked: [...faults.actionBlocked],
        requireAppSecretProof: faults.requireAppSecretProof,
      });
    }),
  );
}
