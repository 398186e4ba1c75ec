import type { FastifyInstance, FastifyRequest } from 'fastify';
import { adminHandler, adminInput, bad } from '../core/admin.js';
import type { SandboxState, SandboxTweet } from './state.js';

// X's helpers for tests and the demo, under /sandbox/ so nothing mistakes them for X: accounts,
// posts, comments, tokens, OAuth clients, and a tweet as the platform holds it (hidden or not).

export function adminTweet(tweet: SandboxTweet) {
  return {
    id: tweet.id,
    text: tweet.text,
    authorId: tweet.authorId,
    conversationId: tweet.conversationId,
    inReplyToTweetId: tweet.inReplyToTweetId,
    inReplyToUserId: tweet.inReplyToUserId,
    createdAt: tweet.createdAt.toISOString(),
    mentionIds: tweet.mentionIds,
    deleted: tweet.deleted,
  };
}

/** X's admin helpers, registered inside the /sandbox scope */
export async function xAdmin(admin: FastifyInstance, deps: { state: SandboxState }): Promise<void> {
  const { state } = deps;
  const query = (request: FastifyRequest) => new URL(request.url, 'http://sandbox.invalid').searchParams;

  admin.get('/state', async () => state.summary());
  admin.post(
    '/accounts',
    adminHandler(async (request: FastifyRequest, reply) => {
      const { str } = adminInput(request.body);
      const username = str('username');
      if (!username) return bad(reply, 'username is required');
      return reply.code(201).send(state.createAccount({ username, name: str('name') ?? username }));
    }),
  );
  admin.post(
    '/posts',
    adminHandler(async (request: FastifyRequest, reply) => {
      const { str } = adminInput(request.body);
      const author = str('author');
      const text = str('text');
      if (!author || !text) return bad(reply, 'author and text are required');
      return reply.code(201).send(adminTweet(state.createPost({ author, text })));
    }),
  );
  admin.post(
    '/comments',
    adminHandler(async (request: FastifyRequest, reply) => {
      const { input, str } = adminInput(request.body);
      const from = str('from');
      const text = str('text');
      if (!from || !text) return bad(reply, 'from and text are required');
      const tweet = state.injectComment({
        from,
        text,
        ...(str('fromName') === undefined ? {} : { fromName: str('fromName') }),
        ...(str('to') === undefined ? {} : { to: str('to') }),
        ...(str('inReplyTo') === undefined ? {} : { inReplyTo: str('inReplyTo') }),
        ...(typeof input.mentionRepliedUser === 'boolean'
          ? { mentionRepliedUser: input.mentionRepliedUser }
          : {}),
      });
      return reply.code(201).send(adminTweet(tweet));
    }),
  );
  admin.post(
    '/preload',
    adminHandler(async (request: FastifyRequest, reply) => {
      const { input } = adminInput(request.body);
      const accounts = input.accounts;
      const perAccount = input.mentionsPerAccount;
      if ((typeof accounts !== 'number' && !Array.isArray(accounts)) || typeof perAccount !== 'number') {
        return bad(reply, 'accounts (number or usernames) and mentionsPerAccount are required');
      }
      const result = state.preload({
        accounts: typeof accounts === 'number' ? accounts : accounts.map(String),
        mentionsPerAccount: perAccount,
        ...(typeof input.publicUsers === 'number' ? { publicUsers: input.publicUsers } : {}),
      });
      return reply.code(201).send({ accounts: result.accounts, mentions: result.mentions });
    }),
  );
  admin.post(
    '/tokens',
    adminHandler(async (request: FastifyRequest, reply) => {
      const { input, str } = adminInput(request.body);
      const user = str('user');
      if (!user) return bad(reply, 'user is required');
      const ttl = typeof input.ttlSeconds === 'number' ? { ttlSeconds: input.ttlSeconds } : {};
      return reply.code(201).send(state.issueToken(user, ttl));
    }),
  );
  admin.post(
    '/clients',
    adminHandler(async (request: FastifyRequest, reply) => {
      const { str } = adminInput(request.body);
      const clientId = str('clientId');
      const secret = str('secret');
      if (!clientId || !secret) return bad(reply, 'clientId and secret are required');
      state.clients.set(clientId, { secret });
      return reply.code(201).send({ clientId });
    }),
  );
  admin.get(
    '/posts',
    adminHandler(async (request: FastifyRequest, reply) => {
      const q = query(request);
      const author = state.user(q.get('author') ?? '');
      if (!author) return bad(reply, 'author must be an existing user');
      const limit = Math.max(1, Number(q.get('limit') ?? '20'));
      const posts = state.tweetsBy(author.id).filter((t) => !t.deleted && t.inReplyToTweetId === null);
      return reply.send(posts.slice(-limit).map(adminTweet));
    }),
  );
  admin.get('/tweets/:id', async (request: FastifyRequest<{ Params: { id: string } }>, reply) => {
    const { id } = request.params;
    if (!/^\d+$/.test(id)) return reply.code(404).send({ error: 'no such sandbox route' });
    const tweet = state.tweets.get(id);
    if (!tweet) return reply.code(404).send({ error: 'no such tweet' });
    return reply.send({ ...adminTweet(tweet), hidden: state.isHidden(tweet.id) });
  });
}
