import { z } from 'zod';
import { PlatformError, type QuarantinedItem } from '../adapter.js';
import { describeIssues, rawJson } from '../meta/meta-schemas.js';

// YouTube payloads are validated before anything reads them; fields never used are dropped. A list
// is checked in two steps: the envelope (items + nextPageToken) must be sound; each thread or
// comment is checked on its own, so one bad item is quarantined and the rest of the page stored.

/** comment and thread ids: `Ugz…AaABAg`, a reply `<thread id>.<id>` */
export const ytCommentId = z
  .string()
  .regex(/^[A-Za-z0-9_-]{10,60}(\.[A-Za-z0-9_-]{10,60})?$/, 'a YouTube comment id');
export const ytVideoId = z.string().regex(/^[A-Za-z0-9_-]{11}$/, 'a YouTube video id');
export const ytChannelId = z.string().regex(/^UC[A-Za-z0-9_-]{22}$/, 'a YouTube channel id');
const ytTime = z.iso.datetime({ offset: true }).transform((value) => new Date(value));

export const ytComment = z.object({
  id: ytCommentId,
  snippet: z.object({
    channelId: ytChannelId.optional(),
    videoId: ytVideoId.optional(),
    /** plain text when asked with textFormat=plainText */
    textDisplay: z.string().max(200_000),
    /** only to the comment's author */
    textOriginal: z.string().max(200_000).optional(),
    authorDisplayName: z.string().max(500),
    /** absent for an author whose channel is gone */
    authorChannelId: z.object({ value: ytChannelId }).optional(),
    parentId: ytCommentId.optional(),
    /** only to the owner of the channel */
    moderationStatus: z.enum(['published', 'heldForReview', 'likelySpam', 'rejected']).optional(),
    publishedAt: ytTime,
  }),
});
export type YtComment = z.infer<typeof ytComment>;

export const ytThread = z.object({
  id: ytCommentId,
  snippet: z.object({
    videoId: ytVideoId.optional(),
    topLevelComment: z.unknown(),
    totalReplyCount: z.number().int().nonnegative(),
  }),
  replies: z.object({ comments: z.array(z.unknown()).max(100) }).optional(),
});

export const ytList = z.object({
  nextPageToken: z.string().max(2000).optional(),
  items: z.array(z.unknown()).max(1000),
});

export const ytChannelList = z.object({
  items: z
    .array(
      z.object({
        id: ytChannelId,
        snippet: z.object({ title: z.string().max(500), customUrl: z.string().max(200).optional() }),
      }),
    )
    .max(50),
});

export function parseYt<T>(schema: z.ZodType<T>, body: unknown, endpoint: string): T {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  throw new PlatformError(
    'malformed',
    `${endpoint} answered with an unexpected shape (${describeIssues(parsed.error, 'body')})`,
    {
      endpoint,
      rawBody: rawJson(body),
    },
  );
}

export function readItem<T>(
  schema: z.ZodType<T>,
  raw: unknown,
  at: string,
  quarantined: QuarantinedItem[],
): T | null {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const id = typeof raw === 'object' && raw !== null ? (raw as { id?: unknown }).id : undefined;
  quarantined.push({
    externalId: typeof id === 'string' && ytCommentId.safeParse(id).success ? id : null,
    reason: describeIssues(parsed.error, at),
    raw: rawJson(raw),
  });
  return null;
}
