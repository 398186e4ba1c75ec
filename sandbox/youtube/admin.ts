import type { FastifyInstance, FastifyRequest } from 'fastify';
import { adminHandler, adminInput, bad } from '../core/admin.js';
import type { YouTubeFaults } from './api-routes.js';
import type { ModerationStatus, YouTubeState, YtChannel, YtComment } from './state.js';

// YouTube's helpers for tests and the demo, under /sandbox/youtube/: channels (and who owns
// them), videos, comments in any moderation state, tokens and their revocation, the quota ledger
// and injected Google errors, and any comment or channel as the platform holds it.

export interface YouTubeSandbox {
  state: YouTubeState;
  faults: YouTubeFaults;
}

export const channelView = (c: YtChannel) => ({
  id: c.id,
  title: c.title,
  handle: c.handle,
  ownerId: c.ownerId,
  banned: [...c.banned],
});

export const commentView = (c: YtComment) => ({
  id: c.id,
  videoId: c.videoId,
  channelId: c.channelId,
  parentId: c.parentId,
  authorChannelId: c.authorChannelId,
  authorName: c.authorName,
  text: c.text,
  publishedAt: c.publishedAt.toISOString(),
  moderationStatus: c.moderationStatus,
  isDeleted: c.deleted,
  replyIds: c.replyIds,
});

const STATUSES: ModerationStatus[] = ['published', 'heldForReview', 'likelySpam', 'rejected'];

export async function youtubeAdmin(admin: FastifyInstance, sandbox: YouTubeSandbox): Promise<void> {
  const { state, faults } = sandbox;

  admin.post(
    '/channels',
    adminHandler(async (request: FastifyRequest, reply) => {
      const { str } = adminInput(request.body);
      const title = str('title');
      if (!title) return bad(reply, 'title is required');
      const handle = str('handle');
      const owner = str('owner');
      const channel = state.createChannel({
        title,
        ...(handle ? { handle } : {}),
        ...(owner ? { owner } : {}),
      });
      return reply.send(channelView(channel));
    }),
  );
  admin.get(
    '/channels/:ref',
    adminHandler(async (request: FastifyRequest, reply) => {
      const { ref } = request.params as { ref: string };
      const channel = state.channel(ref);
      if (!channel) return reply.code(404).send({ error: 'no such channel' });
      return reply.send({ ...channelView(channel), videos: state.videosOf(channel.id).map((v) => v.id) });
    }),
  );
  admin.post(
    '/videos',
    adminHandler(async (request: FastifyRequest, reply) => {
      const { str } = adminInput(request.body);
      const channel = str('channel');
      if (!channel) return bad(reply, 'channel is required');
      const video = state.createVideo({ channel, title: str('title') ?? 'A video' });
      return reply.send({ id: video.id, channelId: video.channelId, title: video.title });
    }),
  );
  admin.post(
    '/comments',
    adminHandler(async (request: FastifyRequest, reply) => {
      const { input, str } = adminInput(request.body);
      const on = str('on');
      const from = str('from');
      const text = str('text');
      if (!on || !from || text === undefined) return bad(reply, 'on, from and text are required');
      const status = str('moderationStatus') as ModerationStatus | undefined;
      if (status !== undefined && !STATUSES.includes(status)) return bad(reply, 'bad moderationStatus');
      const publishedAt = str('publishedAt');
      const broken = Array.isArray(input.brokenFields) ? input.brokenFields.map(String) : undefined;
      const comment = state.addComment({
        on,
        from,
        text,
        ...(status ? { moderationStatus: status } : {}),
        ...(publishedAt ? { publishedAt: new Date(publishedAt) } : {}),
        ...(broken ? { brokenFields: broken } : {}),
      });
      return reply.send(commentView(comment));
    }),
  );
  admin.get('/comments/:id', async (request, reply) => {
    const comment = state.comments.get((request.params as { id: string }).id);
    if (!comment) return reply.code(404).send({ error: 'no such comment' });
    return commentView(comment);
  });
  admin.post(
    '/tokens',
    adminHandler(async (request: FastifyRequest, reply) => {
      const { input, str } = adminInput(request.body);
      const channel = str('channel');
      if (!channel) return bad(reply, 'channel is required');
      const ttl = typeof input.ttlSeconds === 'number' ? input.ttlSeconds : undefined;
      const { access, refresh } = state.issueTokens({
        channel,
        ...(ttl === undefined ? {} : { ttlSeconds: ttl }),
        ...(Array.isArray(input.scopes) ? { scopes: input.scopes.map(String) } : {}),
      });
      return reply.send({
        accessToken: access.token,
        refreshToken: refresh.token,
        expiresAt: new Date(access.expiresAt).toISOString(),
        channelId: access.channelId,
      });
    }),
  );
  admin.post(
    '/revoke',
    adminHandler(async (request: FastifyRequest, reply) => {
      const { str } = adminInput(request.body);
      const token = str('token');
      const channel = str('channel');
      return reply.send({
        revoked: state.revoke({ ...(token ? { token } : {}), ...(channel ? { channel } : {}) }),
      });
    }),
  );
  admin.get('/quota', async (request) => {
    const project = new URL(request.url, 'http://sandbox.invalid').searchParams.get('project');
    return state.quota.snapshot(project ?? state.client.id);
  });
  admin.post('/quota', async (request) => {
    const { input } = adminInput(request.body);
    const num = (key: string) => (typeof input[key] === 'number' ? (input[key] as number) : undefined);
    const project = typeof input.project === 'string' ? input.project : state.client.id;
    const limit = num('limit');
    const used = num('used');
    const dailyDefault = num('dailyDefault');
    if (input.resetDay === true) state.quota.resetDay();
    state.quota.set({
      project,
      ...(limit === undefined ? {} : { limit }),
      ...(used === undefined ? {} : { used }),
      ...(dailyDefault === undefined ? {} : { dailyDefault }),
    });
    return state.quota.snapshot(project);
  });
  admin.post(
    '/errors',
    adminHandler(async (request: FastifyRequest, reply) => {
      const { input, str } = adminInput(request.body);
      const reason = str('reason');
      if (typeof input.status !== 'number' || !reason) return bad(reply, 'status and reason are required');
      const method = str('method');
      const message = str('message');
      faults.add({
        status: input.status,
        reason,
        ...(typeof input.count === 'number' ? { count: input.count } : {}),
        ...(method ? { method } : {}),
        ...(message ? { message } : {}),
      });
      return reply.send({ errors: faults.errors });
    }),
  );
  admin.delete('/errors', async () => {
    faults.reset();
    return { errors: [] };
  });
}
