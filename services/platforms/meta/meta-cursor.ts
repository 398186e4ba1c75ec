import { z } from 'zod';
import { PlatformError, type PollCursor } from '../adapter.js';
import { graphId } from './meta-schemas.js';

// How the Meta cursor never skips a comment.
//
// Graph has no "comments since" for a whole Page or Instagram account: a poll walks the recent
// posts (media), newest first, and reads each one's comments. The cursor is a high-water time,
// not a per-post paging cursor (paging cursors expire, and a per-post map grows without bound):
//
//   since  the moment a complete walk started (our clock, ms): every comment created before it
//          is stored. The next walk reads comments created from `since - OVERLAP_MS` (Graph can
//          show a comment a little after its created_time, and clocks differ); duplicates are
//          harmless because the store ignores (account, external id) conflicts.
//   walk   a walk in progress that a page cap or a nearly spent budget stopped: when it started
//          and the posts already read to the end, so the next poll resumes with the others
//          rather than starting over (and `since` moves only when every post has been read).
//
// Facebook posts are skipped when their updated_time (which moves when a comment arrives) is
// older than the floor. Only posts of the last `postWindowDays` are walked: a comment on an
// older post arrives by webhook, not by the poll backstop.

export const OVERLAP_MS = 5 * 60_000;
export const MAX_DONE_POSTS = 500;

export const metaPollCursor = z.object({
  v: z.literal(1),
  since: z.number().int().nonnegative().nullable(),
  walk: z
    .object({
      startedAt: z.number().int().nonnegative(),
      done: z.array(graphId).max(MAX_DONE_POSTS),
    })
    .nullable(),
});
export type MetaPollCursor = z.infer<typeof metaPollCursor>;

export function readMetaCursor(cursor: PollCursor | null): MetaPollCursor {
  if (cursor === null) return { v: 1, since: null, walk: null };
  const parsed = metaPollCursor.safeParse(cursor);
  if (!parsed.success) {
    throw new PlatformError('malformed', 'the stored poll cursor is not a Meta cursor', {
      rawBody: JSON.stringify(cursor),
    });
  }
  return parsed.data;
}

export function toPollCursor(cursor: MetaPollCursor): PollCursor {
  return cursor.walk === null
    ? { v: 1, since: cursor.since, walk: null }
    : { v: 1, since: cursor.since, walk: { startedAt: cursor.walk.startedAt, done: [...cursor.walk.done] } };
}
