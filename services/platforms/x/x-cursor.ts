import { z } from 'zod';
import { PlatformError, type PollCursor } from '../adapter.js';
import { xId } from './x-schemas.js';

// How the X cursor never skips a mention.
//
// The mentions timeline answers newest first, so with since_id a poll walks backwards in time:
// page 1 holds the newest mentions, the last page the ones just after since_id. If the cursor
// moved to page 1's newest id as soon as page 1 was stored, a crash before the last page would
// leave a hole below it forever. So `sinceId` (everything at or below it is stored) only moves
// when the walk reaches its bottom; until then each stored page records the walk in progress:
// `pendingNewestId` (where sinceId will move to) and `untilId` (the oldest id stored so far). A
// re-run resumes with since_id + until_id, which, unlike a pagination token, never expires and
// re-fetches at worst one page; duplicates are harmless because the caller ignores conflicts.
//
// Knowing the walk reached since_id: we ask for since_id = sinceId - 1, so the tweet at sinceId
// itself comes back (and is dropped as already stored) on the last page when it is still within
// the ~800 mentions X lets us reach. If it does not come back, the mentions between sinceId and
// the oldest we saw may be out of reach: a coverage gap (or that one tweet was deleted).

const isoDate = z.iso.datetime({ offset: true });

export const xPollCursor = z.object({
  v: z.literal(1),
  sinceId: xId.nullable(),
  pendingNewestId: xId.nullable(),
  untilId: xId.nullable(),
  backstopSinceId: xId.nullable().default(null),
  backstopSinceAt: isoDate.nullable().default(null),
});
export type XPollCursor = z.infer<typeof xPollCursor>;

export const EMPTY_X_CURSOR: XPollCursor = {
  v: 1,
  sinceId: null,
  pendingNewestId: null,
  untilId: null,
  backstopSinceId: null,
  backstopSinceAt: null,
};

export function readXCursor(cursor: PollCursor | null): XPollCursor {
  if (cursor === null) return { ...EMPTY_X_CURSOR };
  const parsed = xPollCursor.safeParse(cursor);
  if (!parsed.success) {
    throw new PlatformError('malformed', 'the stored poll cursor is not an X cursor', {
      rawBody: JSON.stringify(cursor),
    });
  }
  return parsed.data;
}

export function toPollCursor(cursor: XPollCursor): PollCursor {
  return { ...cursor };
}

export function compareIds(a: string, b: string): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

export function maxId(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  if (b === null) return a;
  return compareIds(a, b) >= 0 ? a : b;
}

export function previousId(id: string): string {
  const value = BigInt(id);
  return value > 0n ? (value - 1n).toString() : '0';
}
