import type { FetchOptions, FetchPage, IncomingComment, PollCursor, QuarantinedItem } from '../adapter.js';
import type { GraphClient } from './meta-client.js';
import {
  MAX_DONE_POSTS,
  type MetaPollCursor,
  OVERLAP_MS,
  readMetaCursor,
  toPollCursor,
} from './meta-cursor.js';

/** A post (Facebook) or media item (Instagram) whose comments a poll reads. */
export interface MetaPost {
  id: string;
  createdAt: Date;
  /** Facebook: moves when the post gets a comment */
  updatedAt?: Date;
  /** Instagram: media with none are not read */
  commentsCount?: number;
  permalink?: string;
}

export interface PostPage {
  posts: MetaPost[];
  quarantined: QuarantinedItem[];
  next?: string;
}

export interface CommentPage {
  /** every valid comment on the page, replies included, the account's own too */
  comments: IncomingComment[];
  quarantined: QuarantinedItem[];
  next?: string;
  /** the oldest created time on the page when the platform answers newest first, else null */
  oldestIfOrdered: Date | null;
}

export interface MetaSource {
  listEndpoint: string;
  commentsEndpoint: string;
  /** the Page or Instagram account id: its own comments are responses, not comments */
  ownId: string;
  listPosts(next: string | undefined, windowStart: Date): Promise<PostPage>;
  readComments(post: MetaPost, next: string | undefined): Promise<CommentPage>;
}

export interface MetaFetchContext {
  client: GraphClient;
  source: MetaSource;
  now: () => number;
  /** first poll: how far back to read comments */
  firstPollLookbackMs: number;
  /** how old a post may be and still be walked */
  postWindowMs: number;
}

/**
 * Yields comment pages; each carries the cursor after it. Stops early (and says so in the page's
 * rateLimit) when the Graph budget passes the slow-down mark, so the poll job waits instead of
 * spending the rest of the budget. Always yields at least one page so the cursor is saved.
 */
export async function* fetchMetaPages(
  ctx: MetaFetchContext,
  cursor: PollCursor | null,
  options: FetchOptions,
): AsyncGenerator<FetchPage> {
  const start = readMetaCursor(cursor);
  const now = ctx.now();
  const walkStartedAt = start.walk?.startedAt ?? now;
  const floorMs = start.since === null ? walkStartedAt - ctx.firstPollLookbackMs : start.since - OVERLAP_MS;
  const floor = new Date(floorMs);
  const done = new Set(start.walk?.done ?? []);
  const budget = Math.max(1, options.maxPages);
  const endpoint = ctx.source.commentsEndpoint;

  const walking = (): MetaPollCursor => ({
    v: 1,
    since: start.since,
    walk: { startedAt: walkStartedAt, done: [...done].slice(-MAX_DONE_POSTS) },
  });
  const page = (
    comments: IncomingComment[],
    quarantined: QuarantinedItem[],
    c: MetaPollCursor,
  ): FetchPage => ({
    comments,
    quarantined,
    cursorAfter: toPollCursor(c),
    rateLimit: ctx.client.rateLimitState(endpoint),
  });

  // 1. The posts worth reading, newest first.
  const posts: MetaPost[] = [];
  const listQuarantine: QuarantinedItem[] = [];
  const windowStart = new Date(now - ctx.postWindowMs);
  let listNext: string | undefined;
  let listPages = 0;
  let listComplete = false;
  do {
    const listed = await ctx.source.listPosts(listNext, windowStart);
    listPages += 1;
    listQuarantine.push(...listed.quarantined);
    let reachedOld = false;
    for (const post of listed.posts) {
      if (post.createdAt < windowStart) {
        reachedOld = true;
        continue;
      }
      if (done.has(post.id)) continue;
      if (post.updatedAt !== undefined && post.updatedAt < floor) continue;
      if (post.commentsCount === 0) continue;
      posts.push(post);
    }
    listNext = listed.next;
    if (reachedOld || listNext === undefined) listComplete = true;
  } while (!listComplete && listPages < budget && !ctx.client.usage.shouldSlowDown());

  // 2. Each post's comments, page by page.
  let used = 0;
  let pending: QuarantinedItem[] = listQuarantine;
  let stopped = !listComplete;
  for (const post of posts) {
    if (used >= budget || ctx.client.usage.shouldSlowDown()) {
      stopped = true;
      break;
    }
    let next: string | undefined;
    let postDone = false;
    while (!postDone) {
      const read = await ctx.source.readComments(post, next);
      used += 1;
      const comments = read.comments.filter(
        (c) => c.createdAt >= floor && c.authorExternalId !== ctx.source.ownId,
      );
      next = read.next;
      postDone = next === undefined || (read.oldestIfOrdered !== null && read.oldestIfOrdered < floor);
      if (postDone) done.add(post.id);
      const quarantined = [...pending, ...read.quarantined];
      pending = [];
      const out = page(comments, quarantined, walking());
      if (!postDone && (used >= budget || ctx.client.usage.shouldSlowDown())) {
        // Stop mid-post: it is not marked done, so the next poll reads it again from its newest.
        yield out;
        stopped = true;
        break;
      }
      yield out;
    }
    if (stopped) break;
  }

  if (stopped) {
    if (pending.length > 0 || used === 0) yield page([], pending, walking());
    return;
  }
  // The walk reached its end: everything created before it started is stored.
  yield page([], pending, { v: 1, since: walkStartedAt, walk: null });
}
