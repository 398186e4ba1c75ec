import type {
  TweetV2PaginableTimelineParams,
  TweetV2UserTimelineParams,
  Tweetv2SearchParams,
} from 'twitter-api-v2';
import {
  boundCommentText,
  type FetchOptions,
  type FetchPage,
  type IncomingComment,
  type PollCursor,
  type QuarantinedItem,
} from '../adapter.js';
import { compareIds, maxId, previousId, readXCursor, toPollCursor, type XPollCursor } from './x-cursor.js';
import { readTimelinePage, type XTimelinePage, type XTweet, type XUser } from './x-schemas.js';
import type { XSession } from './x-session.js';

export const MENTIONS_ENDPOINT = 'GET /2/users/:id/mentions';
export const USER_TWEETS_ENDPOINT = 'GET /2/users/:id/tweets';
export const SEARCH_ENDPOINT = 'GET /2/tweets/search/recent';

const SEARCH_WINDOW_MS = 7 * 24 * 60 * 60 * 1000;
/** a little inside X's 7 days, so a request never names a since_id X has already forgotten */
const BACKSTOP_SINCE_MAX_AGE_MS = SEARCH_WINDOW_MS - 60 * 60 * 1000;
const MAX_SEARCH_QUERY_CHARS = 512;

const TWEET_FIELDS = {
  expansions: ['author_id', 'referenced_tweets.id', 'in_reply_to_user_id'],
  'tweet.fields': ['created_at', 'conversation_id', 'author_id', 'referenced_tweets', 'in_reply_to_user_id'],
  'user.fields': ['username', 'name'],
} satisfies Partial<TweetV2PaginableTimelineParams>;

export interface FetchContext {
  session: XSession;
  accountId: string;
  now: () => number;
}

export async function* fetchXPages(
  ctx: FetchContext,
  cursor: PollCursor | null,
  options: FetchOptions,
): AsyncGenerator<FetchPage> {
  const start = readXCursor(cursor);
  const mentions = yield* fetchMentionPages(ctx, start, options.maxPages);
  if (mentions === null || !options.conversationBackstop) return;
  yield* fetchConversationPages(ctx, mentions, options.maxPages);
}

/** Yields mention pages; returns the cursor after a complete walk, or null when maxPages stopped it. */
async function* fetchMentionPages(
  ctx: FetchContext,
  start: XPollCursor,
  maxPages: number,
): AsyncGenerator<FetchPage, XPollCursor | null> {
  const since = start.sinceId;
  let pendingNewestId = start.pendingNewestId;
  let oldestSeen = start.untilId;
  const query: Partial<TweetV2PaginableTimelineParams> = { max_results: 100, ...TWEET_FIELDS };
  if (since !== null) query.since_id = previousId(since);
  if (start.untilId !== null) query.until_id = start.untilId;

  let paginationToken: string | undefined;
  for (let page = 0; page < Math.max(1, maxPages); page += 1) {
    const params = paginationToken === undefined ? query : { ...query, pagination_token: paginationToken };
    const body = await ctx.session.call(MENTIONS_ENDPOINT, 'read', async (client) => {
      const paginator = await client.v2.userMentionTimeline(ctx.accountId, params);
      return { data: paginator.data, rateLimit: paginator.rateLimit };
    });
    const parsed = readTimelinePage(body, MENTIONS_ENDPOINT);
    pendingNewestId ??= parsed.meta.newest_id ?? null;
    oldestSeen = parsed.meta.oldest_id ?? oldestSeen;
    // since_id is asked for one below the newest stored id, so that mention comes back every time.
    const read = toComments(ctx, parsed, 'mention');
    const comments = read.comments.filter((c) => c.externalId !== since);
    const quarantined = read.quarantined.filter((q) => q.externalId !== since);
    const rateLimit = ctx.session.rateLimitFor(MENTIONS_ENDPOINT);

    if (parsed.meta.next_token !== undefined) {
      paginationToken = parsed.meta.next_token;
      const cursorAfter: XPollCursor = { ...start, pendingNewestId, untilId: oldestSeen };
      yield { comments, quarantined, cursorAfter: toPollCursor(cursorAfter), rateLimit };
      continue;
    }

    // The walk reached its bottom: since_id, or the oldest mention X will show us.
    const reachedSince = since === null || parsed.ids.has(since);
    const done: XPollCursor = {
      ...start,
      sinceId: maxId(pendingNewestId, since),
      pendingNewestId: null,
      untilId: null,
    };
    const result: FetchPage = { comments, quarantined, cursorAfter: toPollCursor(done), rateLimit };
    if (!reachedSince && since !== null && pendingNewestId !== null && oldestSeen !== null) {
      result.coverageGap = { fromId: since, toId: oldestSeen };
    }
    yield result;
    return done;
  }
  return null;
}

/**
 * Replies in the account's own conversations of the last 7 days that do not mention it. The
 * backstop's since_id moves only after every conversation was searched to the end, so a crash
 * re-searches (duplicates are harmless) rather than skipping.
 */
async function* fetchConversationPages(
  ctx: FetchContext,
  mentionsDone: XPollCursor,
  maxPages: number,
): AsyncGenerator<FetchPage> {
  const now = ctx.now();
  const windowStart = new Date(now - SEARCH_WINDOW_MS + 60_000).toISOString();
  const conversationIds = await ownRecentConversations(ctx, windowStart, maxPages);
  if (conversationIds.length === 0) return;

  const sinceUsable =
    mentionsDone.backstopSinceId !== null &&
    mentionsDone.backstopSinceAt !== null &&
    now - Date.parse(mentionsDone.backstopSinceAt) < BACKSTOP_SINCE_MAX_AGE_MS;
  const queries = conversationQueries(conversationIds);
  let newest = mentionsDone.backstopSinceId;
  let complete = true;

  for (const [index, q] of queries.entries()) {
    const params: Partial<Tweetv2SearchParams> = { max_results: 100, ...TWEET_FIELDS };
    if (sinceUsable && mentionsDone.backstopSinceId !== null) params.since_id = mentionsDone.backstopSinceId;
    else params.start_time = windowStart;
    let nextToken: string | undefined;
    let pages = 0;
    do {
      const pageParams = nextToken === undefined ? params : { ...params, next_token: nextToken };
      const body = await ctx.session.call(SEARCH_ENDPOINT, 'read', async (client) => {
        const paginator = await client.v2.search(q, pageParams);
        return { data: paginator.data, rateLimit: paginator.rateLimit };
      });
      const parsed = readTimelinePage(body, SEARCH_ENDPOINT);
      pages += 1;
      newest = maxId(newest, parsed.meta.newest_id ?? null);
      nextToken = parsed.meta.next_token;
      if (nextToken !== undefined && pages >= maxPages) complete = false;
      const last = index === queries.length - 1 && (nextToken === undefined || pages >= maxPages);
      const cursorAfter: XPollCursor =
        last && complete
          ? { ...mentionsDone, backstopSinceId: newest, backstopSinceAt: new Date(now).toISOString() }
          : mentionsDone;
      const read = toComments(ctx, parsed, 'conversation');
      const comments = read.comments.filter((c) => c.externalId !== c.conversationId);
      yield {
        comments,
        quarantined: read.quarantined,
        cursorAfter: toPollCursor(cursorAfter),
        rateLimit: ctx.session.rateLimitFor(SEARCH_ENDPOINT),
      };
    } while (nextToken !== undefined && pages < maxPages);
  }
}

async function ownRecentConversations(
  ctx: FetchContext,
  startTime: string,
  maxPages: number,
): Promise<string[]> {
  const ids = new Set<string>();
  let paginationToken: string | undefined;
  for (let page = 0; page < Math.max(1, maxPages); page += 1) {
    const params: Partial<TweetV2UserTimelineParams> = {
      max_results: 100,
      start_time: startTime,
      exclude: ['retweets', 'replies'],
      ...TWEET_FIELDS,
    };
    if (paginationToken !== undefined) params.pagination_token = paginationToken;
    const body = await ctx.session.call(USER_TWEETS_ENDPOINT, 'read', async (client) => {
      const paginator = await client.v2.userTimeline(ctx.accountId, params);
      return { data: paginator.data, rateLimit: paginator.rateLimit };
    });
    // The account's own posts: one that fails validation only loses its conversation's backstop.
    const parsed = readTimelinePage(body, USER_TWEETS_ENDPOINT);
    for (const tweet of parsed.tweets) ids.add(tweet.conversation_id);
    paginationToken = parsed.meta.next_token;
    if (paginationToken === undefined) break;
  }
  return [...ids].sort(compareIds);
}

/** `conversation_id:1 OR conversation_id:2 …`, each query within X's 512-character limit. */
export function conversationQueries(conversationIds: string[]): string[] {
  const queries: string[] = [];
  let current = '';
  for (const id of conversationIds) {
    const term = `conversation_id:${id}`;
    const candidate = current === '' ? term : `${current} OR ${term}`;
    if (candidate.length > MAX_SEARCH_QUERY_CHARS && current !== '') {
      queries.push(current);
      current = term;
    } else {
      current = candidate;
    }
  }
  if (current !== '') queries.push(current);
  return queries;
}

/** The page's comments, and its items that could not be read (see `readTimelinePage`). */
function toComments(
  ctx: FetchContext,
  page: XTimelinePage,
  foundBy: IncomingComment['foundBy'],
): { comments: IncomingComment[]; quarantined: QuarantinedItem[] } {
  const comments: IncomingComment[] = [];
  const quarantined = [...page.quarantined];
  for (const tweet of page.tweets) {
    // The account's own posts (its replies, self-mentions) are responses, not comments.
    if (tweet.author_id === ctx.accountId) continue;
    if (tweet.referenced_tweets?.some((r) => r.type === 'retweeted')) continue;
    const problem = page.authorProblem(tweet);
    if (problem !== null) quarantined.push(problem);
    else comments.push(toComment(tweet, page.users.get(tweet.author_id), foundBy));
  }
  return { comments, quarantined };
}

function toComment(
  tweet: XTweet,
  author: XUser | undefined,
  foundBy: IncomingComment['foundBy'],
): IncomingComment {
  const bounded = boundCommentText(tweet.text);
  // X leaves out an author it will not show (suspended, protected); the id still identifies them.
  const handle = author?.username ?? '';
  const comment: IncomingComment = {
    externalId: tweet.id,
    conversationId: tweet.conversation_id,
    authorExternalId: tweet.author_id,
    authorHandle: handle,
    authorName: author?.name ?? '',
    text: bounded.text,
    textTruncated: bounded.textTruncated,
    createdAt: new Date(tweet.created_at),
    url:
      handle === '' ? `https://x.com/i/web/status/${tweet.id}` : `https://x.com/${handle}/status/${tweet.id}`,
    foundBy,
  };
  const repliedTo = tweet.referenced_tweets?.find((r) => r.type === 'replied_to');
  if (repliedTo !== undefined) comment.inReplyToExternalId = repliedTo.id;
  return comment;
}
