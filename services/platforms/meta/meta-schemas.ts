import { z } from 'zod';
import { MAX_RAW_BODY_CHARS, type QuarantinedItem, truncate } from '../adapter.js';

// Graph payloads are validated before anything reads them; fields we never use are dropped.
// List answers are checked in two steps: the envelope (data + paging) must be sound, each item is
// checked on its own so one bad comment is quarantined and the rest of the page is stored.

/** Graph ids are numeric, FB comment and post ids are `<object>_<id>`. */
export const graphId = z.string().regex(/^[0-9]{1,25}(_[0-9]{1,25}){0,2}$/, 'a Graph id');

/** Graph writes times as 2026-12-04T17:00:00+0000 (no colon in the offset). */
export const graphTime = z
  .string()
  .max(40)
  .transform((value, ctx) => {
    const normal = value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
    const ms = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(normal)
      ? Date.parse(normal)
      : Number.NaN;
    if (Number.isNaN(ms)) {
      ctx.addIssue({ code: 'custom', message: 'not a Graph time' });
      return z.NEVER;
    }
    return new Date(ms);
  });

export const graphPaging = z
  .object({
    cursors: z
      .object({ before: z.string().max(2000).optional(), after: z.string().max(2000).optional() })
      .optional(),
    next: z.url().max(8000).optional(),
    previous: z.url().max(8000).optional(),
  })
  .optional();

/** `{data:[...], paging:{...}}` with the items left unread. */
export const graphList = z.object({
  data: z.array(z.unknown()).max(5000),
  paging: graphPaging,
});
export type GraphList = z.infer<typeof graphList>;

// Facebook

export const fbPost = z.object({
  id: graphId,
  created_time: graphTime,
  /** moves when the post gets a comment; absent from some answers */
  updated_time: graphTime.optional(),
});
export type FbPost = z.infer<typeof fbPost>;

const fbPerson = z.object({ id: graphId, name: z.string().max(500) });

export const fbComment = z.object({
  id: graphId,
  /** a comment that is only a photo or sticker has no message */
  message: z.string().max(200_000).default(''),
  /** Graph leaves `from` out for a person who has not allowed the app to see them */
  from: fbPerson.optional(),
  created_time: graphTime,
  parent: z.object({ id: graphId }).optional(),
  permalink_url: z.url().max(2000).optional(),
  is_hidden: z.boolean().optional(),
});
export type FbComment = z.infer<typeof fbComment>;

export const FB_COMMENT_FIELDS = 'id,message,from{id,name},created_time,parent{id},permalink_url,is_hidden';

/** An object that still exists: only its id is asked for. */
export const graphObjectId = z.object({ id: graphId });
export const fbHidden = z.object({ id: graphId.optional(), is_hidden: z.boolean() });
export const fbBlocked = z.object({ data: z.array(z.object({ id: graphId })).max(5000) });
export const fbMe = z.object({ id: graphId, name: z.string().max(500) });

// Instagram

const igUserRef = z.object({ id: graphId, username: z.string().max(100).optional() });

export const igMedia = z.object({
  id: graphId,
  timestamp: graphTime,
  comments_count: z.number().int().nonnegative().optional(),
  permalink: z.url().max(2000).optional(),
});
export type IgMedia = z.infer<typeof igMedia>;

const igCommentBase = z.object({
  id: graphId,
  text: z.string().max(200_000).default(''),
  timestamp: graphTime,
  username: z.string().max(100).optional(),
  from: igUserRef.optional(),
  hidden: z.boolean().optional(),
  parent_id: graphId.optional(),
});
export const igComment = igCommentBase.extend({
  replies: z.object({ data: z.array(z.unknown()).max(5000) }).optional(),
});
export const igReply = igCommentBase;
export type IgComment = z.infer<typeof igCommentBase>;

export const IG_COMMENT_FIELDS_BASE = 'id,text,timestamp,username,from{id,username},hidden,parent_id';
export const IG_COMMENT_FIELDS = `${IG_COMMENT_FIELDS_BASE},replies{${IG_COMMENT_FIELDS_BASE}}`;

/** `GET /{ig-user-id}?fields=mentioned_comment.comment_id(…){…}`: the comment is read on its own */
export const igMentioned = z.object({ id: graphId.optional(), mentioned_comment: z.unknown() });
export const igMentionedComment = igCommentBase.extend({
  media: z.looseObject({ id: graphId, permalink: z.url().max(2000).optional() }),
});
export const IG_MENTIONED_FIELDS =
  'id,text,timestamp,username,from{id,username},parent_id,media{id,permalink}';

export const igCommentEnabled = z.object({ id: graphId.optional(), is_comment_enabled: z.boolean() });
export const igHidden = z.object({ id: graphId.optional(), hidden: z.boolean() });
export const igMe = z.object({
  id: graphId,
  username: z.string().max(100),
  name: z.string().max(500).optional(),
});

// Shared answers

export const graphCreated = z.object({ id: graphId });
/** `{"success":true}`; Graph answers some writes with `true` alone */
export const graphSuccess = z.union([z.object({ success: z.boolean() }), z.literal(true)]);
/** POST /{page}/blocked answers `{"<user id>": true}` */
export const fbBlockResult = z.record(z.string().max(30), z.boolean());

export interface ItemsRead<T> {
  items: T[];
  quarantined: QuarantinedItem[];
}

/** Checks each item; the bad ones are quarantined (raw, bounded) with what failed. */
export function readItems<T>(schema: z.ZodType<T>, raw: readonly unknown[], at: string): ItemsRead<T> {
  const items: T[] = [];
  const quarantined: QuarantinedItem[] = [];
  for (const [index, item] of raw.entries()) {
    const parsed = schema.safeParse(item);
    if (parsed.success) items.push(parsed.data);
    else
      quarantined.push({
        externalId: idOf(item),
        reason: describeIssues(parsed.error, `${at}.${index}`),
        raw: rawJson(item),
      });
  }
  return { items, quarantined };
}

export function idOf(raw: unknown): string | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const id = (raw as { id?: unknown }).id;
  return typeof id === 'string' && graphId.safeParse(id).success ? id : null;
}

export function describeIssues(error: z.ZodError, at: string): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => `${[at, ...issue.path].join('.')}: ${issue.message}`)
    .join('; ');
}

export function rawJson(raw: unknown): string {
  try {
    return truncate(JSON.stringify(raw) ?? String(raw), MAX_RAW_BODY_CHARS);
  } catch {
    return truncate(String(raw), MAX_RAW_BODY_CHARS);
  }
}
