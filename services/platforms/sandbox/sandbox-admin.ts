import type { FaultSettings, SandboxFaults } from './sandbox-faults.js';
import type { SandboxRateLimits } from './sandbox-rate-limits.js';
import type { SandboxState, SandboxTweet } from './sandbox-state.js';

// Helpers for tests and the demo, under /sandbox/ so nothing mistakes them for X.

export interface AdminReply {
  status: number;
  body: unknown;
}

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

export function handleAdmin(
  deps: { state: SandboxState; faults: SandboxFaults; rateLimits: SandboxRateLimits },
  method: string,
  path: string,
  query: URLSearchParams,
  body: unknown,
): AdminReply {
  const { state, faults } = deps;
  const input = (body ?? {}) as Record<string, unknown>;
  const str = (key: string): string | undefined =>
    typeof input[key] === 'string' ? (input[key] as string) : undefined;
  try {
    if (method === 'GET' && path === '/sandbox/state') return ok(state.summary());
    if (method === 'POST' && path === '/sandbox/accounts') {
      const username = str('username');
      if (!username) return bad('username is required');
      return ok(state.createAccount({ username, name: str('name') ?? username }), 201);
    }
    if (method === 'POST' && path === '/sandbox/posts') {
      const author = str('author');
      const text = str('text');
      if (!author || !text) return bad('author and text are required');
      return ok(adminTweet(state.createPost({ author, text })), 201);
    }
    if (method === 'POST' && path === '/sandbox/comments') {
      const from = str('from');
      const text = str('text');
      if (!from || !text) return bad('from and text are required');
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
      return ok(adminTweet(tweet), 201);
    }
    if (method === 'POST' && path === '/sandbox/preload') {
      const accounts = input.accounts;
      const perAccount = input.mentionsPerAccount;
      if ((typeof accounts !== 'number' && !Array.isArray(accounts)) || typeof perAccount !== 'number') {
        return bad('accounts (number or usernames) and mentionsPerAccount are required');
      }
      const result = state.preload({
        accounts: typeof accounts === 'number' ? accounts : accounts.map(String),
        mentionsPerAccount: perAccount,
        ...(typeof input.publicUsers === 'number' ? { publicUsers: input.publicUsers } : {}),
      });
      return ok({ accounts: result.accounts, mentions: result.mentions }, 201);
    }
    if (method === 'POST' && path === '/sandbox/tokens') {
      const user = str('user');
      if (!user) return bad('user is required');
      const ttl = typeof input.ttlSeconds === 'number' ? { ttlSeconds: input.ttlSeconds } : {};
      return ok(state.issueToken(user, ttl), 201);
    }
    if (method === 'POST' && path === '/sandbox/clients') {
      const clientId = str('clientId');
      const secret = str('secret');
      if (!clientId || !secret) return bad('clientId and secret are required');
      state.clients.set(clientId, { secret });
      return ok({ clientId }, 201);
    }
    if (method === 'GET' && path === '/sandbox/posts') {
      const author = state.user(query.get('author') ?? '');
      if (!author) return bad('author must be an existing user');
      const limit = Math.max(1, Number(query.get('limit') ?? '20'));
      const posts = state.tweetsBy(author.id).filter((t) => !t.deleted && t.inReplyToTweetId === null);
      return ok(posts.slice(-limit).map(adminTweet));
    }
    const tweetMatch = /^\/sandbox\/tweets\/(\d+)$/.exec(path);
    if (method === 'GET' && tweetMatch) {
      const tweet = state.tweets.get(tweetMatch[1]!);
      if (!tweet) return { status: 404, body: { error: 'no such tweet' } };
      return ok({ ...adminTweet(tweet), hidden: state.isHidden(tweet.id) });
    }
    if (method === 'GET' && path === '/sandbox/log') {
      const limit = Number(query.get('limit') ?? '1000');
      return ok(state.log.slice(-Math.max(1, limit)));
    }
    if (path === '/sandbox/faults') {
      if (method === 'GET') return ok(faults.snapshot());
      if (method === 'DELETE' || (method === 'POST' && input.reset === true)) {
        faults.reset();
        return ok(faults.snapshot());
      }
      if (method === 'POST') return ok(faults.set(input as FaultSettings).snapshot());
    }
    if (method === 'POST' && path === '/sandbox/rate-limits/reset') {
      deps.rateLimits.reset();
      return ok({ reset: true });
    }
    return { status: 404, body: { error: 'no such sandbox route' } };
  } catch (error) {
    return bad(error instanceof Error ? error.message : 'bad request');
  }
}

function ok(body: unknown, status = 200): AdminReply {
  return { status, body };
}

function bad(message: string): AdminReply {
  return { status: 400, body: { error: message } };
}
