import { z } from 'zod';
import {
  boundCommentText,
  type FetchOptions,
  type FetchPage,
  type IncomingComment,
  MAX_RAW_BODY_CHARS,
  type PollCursor,
  type QuarantinedItem,
  truncate,
} from '../adapter.js';
import type { BlueskyClient } from './bluesky-client.js';
import {
  type BlueskyNotification,
  describeIssues,
  notification,
  notificationPage,
  parseBluesky,
  safeJson,
} from './bluesky-schemas.js';

// New replies, mentions and quotes from the account's notifications, since a cursor. Bluesky
// lists notifications newest first and pages backwards, so a poll walks from the newest down to
// what it saw last time (the watermark: the newest notification's indexedAt and the URIs seen at
// that instant). A walk interrupted (maxPages, a crash) resumes from its page cursor on the next
// poll; the watermark moves only when a walk reaches the old one, and comments are unique per
// account and URI, so nothing is lost or doubled. The school's read state is left alone: Hallmonitor
// never marks notifications seen.

export const NOTIFICATION_REASONS = ['reply', 'mention', 'quote'] as const;
const ENDPOINT = 'app.bsky.notification.listNotifications';
/** an idle account's poll asks for a few; a busy walk for Bluesky's most */
const FIRST_PAGE = 10;
const NEXT_PAGES = 100;

const cursorSchema = z.object({
  since: z.string().nullable(),
  sinceUris: z.array(z.string()).max(200),
  walk: z
    .object({ next: z.string(), newest: z.string().nullable(), newestUris: z.array(z.string()).max(200) })
    .optional(),
});
type Cursor = z.infer<typeof cursorSchema>;

export interface FetchContext {
  client: BlueskyClient;
  did: string;
  now: () => number;
  /** the first poll reads this far back (default 7 days) */
  firstPollLookbackMs: number;
}

export function postUrl(handle: string, uri: string): string {
  const rkey = uri.split('/').pop() ?? '';
  return `https://bsky.app/profile/${encodeURIComponent(handle)}/post/${encodeURIComponent(rkey)}`;
}

export function toComment(n: BlueskyNotification): IncomingComment {
  const bounded = boundCommentText(n.record.text);
  const reply = n.record.reply;
  const createdAt = new Date(n.record.createdAt);
  return {
    externalId: n.uri,
    conversationId: reply?.root.uri ?? n.uri,
    ...(reply ? { inReplyToExternalId: reply.parent.uri } : {}),
    authorExternalId: n.author.did,
    authorHandle: n.author.handle,
    authorName: n.author.displayName?.trim() || n.author.handle,
    text: bounded.text,
    textTruncated: bounded.textTruncated,
    // A client may claim any time; Bluesky's own indexing time is the one to trust when it is earlier.
    createdAt: createdAt.getTime() > Date.parse(n.indexedAt) ? new Date(n.indexedAt) : createdAt,
    url: postUrl(n.author.handle, n.uri),
    foundBy: n.reason === 'reply' ? 'conversation' : 'mention',
  };
}

function readCursor(raw: PollCursor | null): Cursor {
  const parsed = cursorSchema.safeParse(raw);
  return parsed.success ? parsed.data : { since: null, sinceUris: [] };
}

/** newer than the watermark: a later indexedAt, or the same one with a URI not seen then */
function isNew(
  item: { uri: string; indexedAt: string },
  since: string | null,
  sinceUris: readonly string[],
  floor: number,
) {
  const at = Date.parse(item.indexedAt);
  if (since === null) return at >= floor;
  const sinceAt = Date.parse(since);
  return at > sinceAt || (at === sinceAt && !sinceUris.includes(item.uri));
}

export async function* fetchBlueskyPages(
  context: FetchContext,
  raw: PollCursor | null,
  options: FetchOptions,
): AsyncIterable<FetchPage> {
  const cursor = readCursor(raw);
  const floor = context.now() - context.firstPollLookbackMs;
  let walk = cursor.walk ?? null;
  for (let page = 0; page < Math.max(1, options.maxPages); page += 1) {
    const answer = await context.client.call(
      ENDPOINT,
      'read',
      (agent) =>
        agent.app.bsky.notification.listNotifications({
          limit: walk === null ? FIRST_PAGE : NEXT_PAGES,
          reasons: [...NOTIFICATION_REASONS],
          ...(walk === null ? {} : { cursor: walk.next }),
        }),
      { offLexicon: 'return' },
    );
    const body = parseBluesky(notificationPage, answer, ENDPOINT);
    const items = body.notifications;
    // An item whose time cannot be read sits where Bluesky put it: at its newer neighbour's time.
    const stamps: ({ uri: string; indexedAt: string } | null)[] = [];
    for (const item of items) stamps.push(stampOf(item) ?? stamps.at(-1) ?? null);
    const comments: IncomingComment[] = [];
    const quarantined: QuarantinedItem[] = [];
    let reachedOld = false;
    for (const [i, item] of items.entries()) {
      const stamp = stamps[i];
      if (stamp && !isNew(stamp, cursor.since, cursor.sinceUris, floor)) {
        reachedOld = true;
        continue;
      }
      const parsed = notification.safeParse(item);
      if (!parsed.success) {
        const uri = (item as { uri?: unknown } | null)?.uri;
        quarantined.push({
          externalId: typeof uri === 'string' ? uri.slice(0, 8_192) : null,
          reason: `a notification that is not a readable post (${describeIssues(parsed.error)})`,
          raw: truncate(safeJson(item), MAX_RAW_BODY_CHARS),
        });
        continue;
      }
      const n = parsed.data;
      if (n.author.did === context.did || !(NOTIFICATION_REASONS as readonly string[]).includes(n.reason))
        continue;
      comments.push(toComment(n));
    }
    // The walk's newest notification becomes the watermark when the walk ends.
    if (walk === null) {
      const top = stamps.find((s) => s !== null) ?? null;
      const newestUris =
        top === null ? [] : stamps.filter((s) => s?.indexedAt === top.indexedAt).map((s) => s!.uri);
      walk = { next: '', newest: top?.indexedAt ?? null, newestUris };
    }
    const done = reachedOld || body.cursor === undefined || items.length === 0;
    const cursorAfter: Cursor = done
      ? walk.newest === null
        ? { since: cursor.since, sinceUris: cursor.sinceUris }
        : { since: walk.newest, sinceUris: walk.newestUris }
      : { since: cursor.since, sinceUris: cursor.sinceUris, walk: { ...walk, next: body.cursor! } };
    yield {
      comments,
      quarantined,
      cursorAfter: cursorAfter as unknown as PollCursor,
      rateLimit: context.client.rateLimitState(),
    };
    if (done) return;
    walk = cursorAfter.walk ?? null;
    // Slow down before the limit: the rest waits for the next poll, from where this one stopped.
    const budget = context.client.rateLimitState();
    if (budget !== null && budget.remaining <= Math.max(1, Math.floor(budget.limit * 0.05))) return;
  }
}

/** the uri ('' when unreadable) and indexedAt of an item, read leniently so a malformed item still orders the walk */
function stampOf(item: unknown): { uri: string; indexedAt: string } | null {
  const value = item as { uri?: unknown; indexedAt?: unknown } | null;
  if (typeof value?.indexedAt !== 'string' || Number.isNaN(Date.parse(value.indexedAt))) return null;
  return { uri: typeof value.uri === 'string' ? value.uri.slice(0, 8_192) : '', indexedAt: value.indexedAt };
}
