import { z } from 'zod';
import { PlatformError, type PollCursor } from '../adapter.js';

// How the YouTube cursor never skips a comment.
//
// The Data API has no "comments since": a poll walks the channel's comment threads newest first
// (`allThreadsRelatedToChannelId`, order=time), once for published threads and once for those held
// for review, and stores every comment created since the last complete walk began (less an
// overlap; duplicates are ignored by the store). Replies to older threads arrive inside their
// thread, so the walk goes back `threadWindowMs` further for them; YouTube shows at most five
// replies inside a thread, so a thread with more is read through comments.list when its reply
// count changed since the last walk (`replyCounts`, bounded).
//
//   since   the moment the last complete walk started (our clock, ms)
//   walk    a walk a page cap stopped: when it started, which list it is on, and the page token
//           to resume from, so the next poll carries on rather than starting over

export const OVERLAP_MS = 5 * 60_000;
export const MAX_REPLY_COUNTS = 2_000;

export const youtubePollCursor = z.object({
  v: z.literal(1),
  since: z.number().int().nonnegative().nullable(),
  walk: z
    .object({
      startedAt: z.number().int().nonnegative(),
      list: z.enum(['published', 'heldForReview']),
      pageToken: z.string().max(2000).nullable(),
    })
    .nullable(),
  replyCounts: z.record(z.string().max(100), z.number().int().nonnegative()),
});
export type YouTubePollCursor = z.infer<typeof youtubePollCursor>;

export function readYouTubeCursor(cursor: PollCursor | null): YouTubePollCursor {
  if (cursor === null) return { v: 1, since: null, walk: null, replyCounts: {} };
  const parsed = youtubePollCursor.safeParse(cursor);
  if (!parsed.success) {
    throw new PlatformError('malformed', 'the stored poll cursor is not a YouTube cursor', {
      rawBody: JSON.stringify(cursor),
    });
  }
  return parsed.data;
}

export function toPollCursor(cursor: YouTubePollCursor): PollCursor {
  return {
    v: 1,
    since: cursor.since,
    walk: cursor.walk === null ? null : { ...cursor.walk },
    replyCounts: { ...cursor.replyCounts },
  };
}
