import { z } from 'zod';
import { PlatformError } from '../adapter.js';

// What Hallmonitor reads of Bluesky's answers, checked again here although @atproto/api checks
// them against the lexicons: a post's record is `unknown` to the lexicons (anyone can write
// anything into their repository), and an answer that changes shape must fail loudly, not
// half-work.

const atUri = z
  .string()
  .max(8_192)
  .regex(/^at:\/\/[^/\s]+\/[a-z][a-zA-Z0-9.-]*\/[^/\s]+$/, 'an at:// record URI');
const did = z
  .string()
  .max(2_048)
  .regex(/^did:[a-z]+:[a-zA-Z0-9._:%-]+$/, 'a DID');
const handle = z.string().min(3).max(253);
const datetime = z
  .string()
  .max(64)
  .refine((v) => !Number.isNaN(Date.parse(v)), 'a datetime');
export const strongRef = z.object({ uri: atUri, cid: z.string().min(1).max(200) });

export const session = z.object({
  did,
  handle,
  accessJwt: z.string().min(1).max(10_000),
  refreshJwt: z.string().min(1).max(10_000),
  active: z.boolean().optional(),
});
export type BlueskySession = z.infer<typeof session>;

/** an app.bsky.feed.post record as a notification or a post view carries it */
export const postRecord = z.looseObject({
  text: z.string().max(30_000),
  createdAt: datetime,
  reply: z.object({ root: strongRef, parent: strongRef }).optional(),
});
export type PostRecord = z.infer<typeof postRecord>;

export const author = z.looseObject({
  did,
  handle,
  displayName: z.string().max(640).optional(),
});

/** one item of app.bsky.notification.listNotifications */
export const notification = z.looseObject({
  uri: atUri,
  cid: z.string().max(200),
  author,
  reason: z.string().max(100),
  reasonSubject: z.string().max(8_192).optional(),
  record: postRecord,
  indexedAt: datetime,
});
export type BlueskyNotification = z.infer<typeof notification>;

/** the page around the items, which must hold for the page to be read at all */
export const notificationPage = z.looseObject({
  notifications: z.array(z.unknown()).max(100),
  cursor: z.string().max(1_000).optional(),
});

export const postView = z.looseObject({
  uri: atUri,
  cid: z.string().max(200),
  author,
  record: postRecord,
});
export const postsAnswer = z.looseObject({ posts: z.array(postView).max(25) });

/** app.bsky.feed.threadgate, as far as hiding replies needs it (allow rules are kept as they are) */
export const threadgateRecord = z.looseObject({
  post: atUri,
  createdAt: datetime,
  hiddenReplies: z.array(atUri).max(10_000).optional(),
});
export const recordAnswer = z.looseObject({
  uri: atUri,
  cid: z.string().max(200).optional(),
  value: z.unknown(),
});
export const writeAnswer = z.looseObject({ uri: atUri, cid: z.string().max(200) });

export const profileViewer = z.looseObject({
  did,
  handle,
  displayName: z.string().max(640).optional(),
  viewer: z.looseObject({ muted: z.boolean().optional(), blocking: atUri.optional() }).optional(),
});

export const reportAnswer = z.looseObject({ id: z.number().int() });

/** parses or throws 'malformed', naming the fields that failed, never their text */
export function parseBluesky<T>(schema: z.ZodType<T>, value: unknown, endpoint: string): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new PlatformError(
    'malformed',
    `${endpoint} answered in an unexpected shape (${describeIssues(parsed.error)})`,
    {
      endpoint,
      rawBody: safeJson(value),
    },
  );
}

export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => `${i.path.join('.') || '(root)'}: ${i.code}`)
    .join('; ');
}

export function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
