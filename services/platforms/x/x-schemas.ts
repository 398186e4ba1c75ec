import { z } from 'zod';
import { MAX_RAW_BODY_CHARS, PlatformError, type QuarantinedItem, truncate } from '../adapter.js';

// X payloads are validated before anything reads them. Fields we never use are dropped.

export const xId = z.string().regex(/^\d{1,20}$/, 'a numeric id');

export const xUser = z.object({
  id: xId,
  username: z.string().min(1).max(50),
  name: z.string().max(200),
});
export type XUser = z.infer<typeof xUser>;

export const xTweet = z.object({
  id: xId,
  text: z.string(),
  author_id: xId,
  conversation_id: xId,
  created_at: z.iso.datetime({ offset: true }),
  in_reply_to_user_id: xId.optional(),
  referenced_tweets: z
    .array(z.object({ type: z.enum(['retweeted', 'quoted', 'replied_to']), id: xId }))
    .optional(),
});
export type XTweet = z.infer<typeof xTweet>;

const partialErrors = z.array(z.looseObject({})).optional();

const timelineMeta = z.object({
  result_count: z.number().int().nonnegative(),
  newest_id: xId.optional(),
  oldest_id: xId.optional(),
  next_token: z.string().min(1).optional(),
});

/**
 * A timeline page's envelope: its items are checked one by one (`readTimelinePage`), so one bad
 * mention is quarantined instead of failing the page, and with it every later poll of the account.
 */
const xTimelineEnvelope = z
  .object({
    data: z.array(z.unknown()).optional(),
    includes: z
      .object({
        users: z.array(z.unknown()).optional(),
        tweets: z.array(z.unknown()).optional(),
      })
      .optional(),
    meta: timelineMeta,
    errors: partialErrors,
  })
  .superRefine((page, ctx) => {
    const count = page.data?.length ?? 0;
    if (count !== page.meta.result_count) {
      ctx.addIssue({ code: 'custom', message: 'meta.result_count does not match data' });
    }
    if (count > 0 && (page.meta.newest_id === undefined || page.meta.oldest_id === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'meta.newest_id/oldest_id missing on a non-empty page' });
    }
  });

export interface XTimelinePage {
  /** the items that passed validation (a post whose author failed is here: see `authorProblem`) */
  tweets: XTweet[];
  users: Map<string, XUser>;
  meta: z.infer<typeof timelineMeta>;
  /** every item's id as sent, good or bad (a bad one may be the since_id boundary) */
  ids: Set<string>;
  /** the items that failed the post schema */
  quarantined: QuarantinedItem[];
  /** the quarantine entry for a valid post whose author failed the user schema, else null */
  authorProblem(tweet: XTweet): QuarantinedItem | null;
}

/**
 * Parses a timeline page: a bad envelope throws 'malformed' (nothing on the page can be trusted,
 * not even the cursor); a bad item is quarantined, and so is a post whose author failed
 * validation, once the caller knows it would have read that post (`authorProblem`).
 */
export function readTimelinePage(body: unknown, endpoint: string): XTimelinePage {
  const envelope = parseX(xTimelineEnvelope, body, endpoint);
  const users = new Map<string, XUser>();
  const badUsers = new Map<string, { raw: unknown; reason: string }>();
  for (const [index, raw] of (envelope.includes?.users ?? []).entries()) {
    const user = xUser.safeParse(raw);
    if (user.success) users.set(user.data.id, user.data);
    else {
      const id = idOf(raw);
      if (id !== null)
        badUsers.set(id, { raw, reason: describeIssues(user.error, `includes.users.${index}`) });
    }
  }
  const tweets: XTweet[] = [];
  const rawTweets = new Map<string, unknown>();
  const ids = new Set<string>();
  const quarantined: QuarantinedItem[] = [];
  for (const [index, raw] of (envelope.data ?? []).entries()) {
    const externalId = idOf(raw);
    if (externalId !== null) ids.add(externalId);
    const tweet = xTweet.safeParse(raw);
    if (!tweet.success) {
      quarantined.push({
        externalId,
        reason: describeIssues(tweet.error, `data.${index}`),
        raw: rawJson(raw),
      });
      continue;
    }
    tweets.push(tweet.data);
    rawTweets.set(tweet.data.id, raw);
  }
  const authorProblem = (tweet: XTweet): QuarantinedItem | null => {
    const author = badUsers.get(tweet.author_id);
    if (author === undefined) return null;
    return {
      externalId: tweet.id,
      reason: `its author: ${author.reason}`,
      raw: rawJson({ tweet: rawTweets.get(tweet.id) ?? tweet, author: author.raw }),
    };
  };
  return { tweets, users, meta: envelope.meta, ids, quarantined, authorProblem };
}

function idOf(raw: unknown): string | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const id = (raw as { id?: unknown }).id;
  return typeof id === 'string' && xId.safeParse(id).success ? id : null;
}

function describeIssues(error: z.ZodError, at: string): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => `${[at, ...issue.path].join('.')}: ${issue.message}`)
    .join('; ');
}

function rawJson(raw: unknown): string {
  try {
    return truncate(JSON.stringify(raw) ?? String(raw), MAX_RAW_BODY_CHARS);
  } catch {
    return truncate(String(raw), MAX_RAW_BODY_CHARS);
  }
}

export const xUserPage = z.object({
  data: z.array(xUser).optional(),
  meta: z.object({ result_count: z.number().int().nonnegative(), next_token: z.string().min(1).optional() }),
  errors: partialErrors,
});

export const xMe = z.object({ data: xUser });
export const xPostedTweet = z.object({ data: z.object({ id: xId, text: z.string() }) });
export const xHidden = z.object({ data: z.object({ hidden: z.boolean() }) });
/** GET /2/tweets/:id: the post, or (HTTP 200) an error saying it is not found. */
export const xLookup = z.object({
  data: z.object({ id: xId }).optional(),
  errors: z.array(z.object({ type: z.string().optional(), title: z.string().optional() })).optional(),
});
export const xDeleted = z.object({ data: z.object({ deleted: z.boolean() }) });
export const xMuting = z.object({ data: z.object({ muting: z.boolean() }) });
export const xBlocking = z.object({ data: z.object({ blocking: z.boolean() }) });

export const xTokenResult = z.object({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1).optional(),
  expires_in: z.number().int().positive().optional(),
  scope: z.string().optional(),
});

/** Parses or throws 'malformed' carrying the body (truncated). */
export function parseX<T>(schema: z.ZodType<T>, body: unknown, endpoint: string): T {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  let raw: string;
  try {
    raw = typeof body === 'string' ? body : (JSON.stringify(body) ?? String(body));
  } catch {
    raw = String(body);
  }
  const where = result.error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
    .join('; ');
  return throwMalformed(endpoint, where, truncate(raw, MAX_RAW_BODY_CHARS));
}

function throwMalformed(endpoint: string, where: string, rawBody: string): never {
  throw new PlatformError('malformed', `${endpoint} sent a payload that failed validation (${where})`, {
    endpoint,
    rawBody,
  });
}
