import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { boundCommentText, type IncomingComment, type QuarantinedItem } from '../adapter.js';
import { describeIssues, graphId, rawJson } from './meta-schemas.js';

// Meta webhook deliveries (Graph API v21.0 "Webhooks for Pages" and "Instagram webhooks").
// A delivery is `{object, entry:[{id, time, changes:[{field, value}]}]}`, signed with the app
// secret over the raw body in `X-Hub-Signature-256: sha256=<hex>`. Each change is read on its own:
// a bad one is quarantined for the accounts its entry names, the others are stored.

/** Constant-time check of `X-Hub-Signature-256` against HMAC-SHA256(raw body, app secret). */
export function verifyMetaSignature(rawBody: Buffer, header: string | undefined, appSecret: string): boolean {
  if (typeof header !== 'string' || !header.startsWith('sha256=')) return false;
  const given = header.slice('sha256='.length);
  if (!/^[0-9a-f]{64}$/i.test(given)) return false;
  const expected = createHmac('sha256', appSecret).update(rawBody).digest();
  return timingSafeEqual(Buffer.from(given.toLowerCase(), 'hex'), expected);
}

export const MAX_ENTRIES = 1000;
export const MAX_CHANGES = 1000;

const envelope = z.object({
  object: z.string().max(50),
  entry: z.array(z.unknown()).max(MAX_ENTRIES),
});
const entrySchema = z.object({
  id: graphId,
  /** unix seconds (Meta sends milliseconds in some products) */
  time: z.number().nonnegative().optional(),
  changes: z.array(z.unknown()).max(MAX_CHANGES).optional(),
});
const changeHead = z.object({ field: z.string().max(100), value: z.unknown() });

const unixTime = z.number().int().nonnegative().max(1e13);

/** `field: feed`, `item: comment`: a comment added or edited on a Page post. */
const fbFeedComment = z.object({
  item: z.literal('comment'),
  verb: z.string().max(20),
  comment_id: graphId,
  post_id: graphId,
  parent_id: graphId.optional(),
  from: z.object({ id: graphId, name: z.string().max(500).default('') }).optional(),
  message: z.string().max(200_000).default(''),
  created_time: unixTime,
  post: z.looseObject({ permalink_url: z.url().max(2000).optional() }).optional(),
});

/** `field: comments` (or `live_comments`): a comment on the account's media. */
const igCommentChange = z.object({
  id: graphId,
  text: z.string().max(200_000).default(''),
  from: z.object({ id: graphId, username: z.string().max(100).default('') }).optional(),
  media: z.looseObject({ id: graphId }),
  parent_id: graphId.optional(),
});

/**
 * `field: mentions`: ids only (a mention of the account in a caption has no comment_id: not ours).
 * Instagram's ids are digits: the fetch-mention job accepts nothing else, and an id it refused
 * would fail the whole delivery as if the queue were down.
 */
const igObjectId = z.string().regex(/^[0-9]{1,25}$/, 'an Instagram id (digits)');
const igMentionChange = z.object({ media_id: igObjectId, comment_id: igObjectId });

export interface MetaDeliveryItem {
  platform: 'facebook' | 'instagram';
  /** the Page id or Instagram account id the entry is for */
  targetId: string;
  comment: IncomingComment;
}

/** `field: mentions`: the Instagram account was @mentioned in a comment on someone else's media. */
export interface MetaDeliveryMention {
  /** the mentioned Instagram account */
  igUserId: string;
  mediaId: string;
  commentId: string;
}

export interface MetaDeliveryRejected {
  platform: 'facebook' | 'instagram';
  /** null when the entry's own id could not be read: nobody to keep it for */
  targetId: string | null;
  item: QuarantinedItem;
}

export interface MetaDelivery {
  items: MetaDeliveryItem[];
  /** mentions carry only ids: each comment is read from the Graph API by a job */
  mentions: MetaDeliveryMention[];
  rejected: MetaDeliveryRejected[];
  /** changes that are not comments (reactions, posts, removals): not ours to store */
  ignored: number;
}

export type ReadDeliveryResult = { ok: true; delivery: MetaDelivery } | { ok: false; problem: string };

const secondsOf = (time: number) => (time > 1e11 ? Math.floor(time / 1000) : time);

/** Reads a verified delivery: a bad envelope is refused whole, a bad entry or change alone. */
export function readMetaDelivery(body: unknown, receivedAt: Date): ReadDeliveryResult {
  const head = envelope.safeParse(body);
  if (!head.success) return { ok: false, problem: describeIssues(head.error, 'body') };
  const object = head.data.object;
  if (object !== 'page' && object !== 'instagram') {
    return { ok: true, delivery: { items: [], mentions: [], rejected: [], ignored: head.data.entry.length } };
  }
  const platform = object === 'page' ? 'facebook' : 'instagram';
  const delivery: MetaDelivery = { items: [], mentions: [], rejected: [], ignored: 0 };
  for (const [e, rawEntry] of head.data.entry.entries()) {
    const entry = entrySchema.safeParse(rawEntry);
    if (!entry.success) {
      const id =
        typeof rawEntry === 'object' && rawEntry !== null ? (rawEntry as { id?: unknown }).id : undefined;
      delivery.rejected.push({
        platform,
        targetId: typeof id === 'string' && graphId.safeParse(id).success ? id : null,
        item: { externalId: null, reason: describeIssues(entry.error, `entry.${e}`), raw: rawJson(rawEntry) },
      });
      continue;
    }
    const targetId = entry.data.id;
    const entryTime =
      entry.data.time === undefined ? receivedAt : new Date(secondsOf(entry.data.time) * 1000);
    for (const [c, rawChange] of (entry.data.changes ?? []).entries()) {
      const at = `entry.${e}.changes.${c}`;
      const change = changeHead.safeParse(rawChange);
      if (!change.success) {
        delivery.rejected.push({
          platform,
          targetId,
          item: { externalId: null, reason: describeIssues(change.error, at), raw: rawJson(rawChange) },
        });
        continue;
      }
      if (platform === 'instagram' && change.data.field === 'mentions') {
        // A mention in a media caption names no comment: nothing to store.
        if (
          externalIdIn(change.data.value, 'media_id') !== null &&
          (change.data.value as Record<string, unknown>).comment_id === undefined
        ) {
          delivery.ignored += 1;
          continue;
        }
        const mention = igMentionChange.safeParse(change.data.value);
        if (mention.success)
          delivery.mentions.push({
            igUserId: targetId,
            mediaId: mention.data.media_id,
            commentId: mention.data.comment_id,
          });
        else
          delivery.rejected.push({
            platform,
            targetId,
            item: {
              externalId: externalIdIn(change.data.value, 'comment_id'),
              reason: describeIssues(mention.error, `${at}.value`),
              raw: rawJson(change.data.value),
            },
          });
        continue;
      }
      const read =
        platform === 'facebook'
          ? readFacebookChange(change.data, targetId, at)
          : readInstagramChange(change.data, targetId, entryTime, at);
      if (read === null) delivery.ignored += 1;
      else if ('reason' in read) delivery.rejected.push({ platform, targetId, item: read });
      else delivery.items.push({ platform, targetId, comment: read });
    }
  }
  return { ok: true, delivery };
}

type ChangeRead = IncomingComment | QuarantinedItem | null;

function externalIdIn(value: unknown, key: string): string | null {
  if (typeof value !== 'object' || value === null) return null;
  const id = (value as Record<string, unknown>)[key];
  return typeof id === 'string' && graphId.safeParse(id).success ? id : null;
}

function readFacebookChange(change: z.infer<typeof changeHead>, pageId: string, at: string): ChangeRead {
  if (change.field !== 'feed') return null;
  const value = change.value as Record<string, unknown> | null;
  if (typeof value !== 'object' || value === null || value.item !== 'comment') return null;
  // Removals and hides are the platform telling us what already happened; the poll's read-back
  // and the action record cover those.
  if (value.verb !== 'add' && value.verb !== 'edited') return null;
  const parsed = fbFeedComment.safeParse(value);
  if (!parsed.success) {
    return {
      externalId: externalIdIn(value, 'comment_id'),
      reason: describeIssues(parsed.error, `${at}.value`),
      raw: rawJson(value),
    };
  }
  const v = parsed.data;
  if (v.from?.id === pageId) return null;
  const bounded = boundCommentText(v.message);
  return {
    externalId: v.comment_id,
    conversationId: v.post_id,
    inReplyToExternalId: v.parent_id ?? v.post_id,
    authorExternalId: v.from?.id ?? '',
    authorHandle: v.from?.name ?? '',
    authorName: v.from?.name ?? '',
    text: bounded.text,
    textTruncated: bounded.textTruncated,
    createdAt: new Date(secondsOf(v.created_time) * 1000),
    url: `https://www.facebook.com/${v.comment_id}`,
    foundBy: 'conversation',
  };
}

function readInstagramChange(
  change: z.infer<typeof changeHead>,
  igUserId: string,
  entryTime: Date,
  at: string,
): ChangeRead {
  if (change.field !== 'comments' && change.field !== 'live_comments') return null;
  const parsed = igCommentChange.safeParse(change.value);
  if (!parsed.success) {
    return {
      externalId: externalIdIn(change.value, 'id'),
      reason: describeIssues(parsed.error, `${at}.value`),
      raw: rawJson(change.value),
    };
  }
  const v = parsed.data;
  if (v.from?.id === igUserId) return null;
  const bounded = boundCommentText(v.text);
  return {
    externalId: v.id,
    conversationId: v.media.id,
    inReplyToExternalId: v.parent_id ?? v.media.id,
    authorExternalId: v.from?.id ?? '',
    authorHandle: v.from?.username ?? '',
    authorName: v.from?.username ?? '',
    text: bounded.text,
    textTruncated: bounded.textTruncated,
    createdAt: entryTime,
    url: 'https://www.instagram.com/',
    foundBy: 'conversation',
  };
}
