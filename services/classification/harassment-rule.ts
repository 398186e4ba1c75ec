import { and, eq, gte, ilike, lt, ne, or, sql } from 'drizzle-orm';
import type { Queryable } from '../../db/client.js';
import { comments } from '../../db/schema/index.js';
import { staffReferences } from './defamation-rule.js';
import type { Label } from './types.js';

/**
 * P7 harassment, defined: an offensive comment is harassment when, counting it, the school has had
 * `count` offensive comments (default 3) within `windowDays` (default 7) before it either
 *  - by the same author on the same platform ("repeated by the same author"), or
 *  - naming the same member of staff ("Mr Patel", "the head") from any authors ("at the same person").
 * Both are school settings (conduct-settings.ts). The earlier comments are the school's own record,
 * so this rule reads the database; the text rules run inside the classifier.
 */
export interface HarassmentWindow {
  count: number;
  windowDays: number;
}

export interface HarassmentSubject {
  id: string;
  schoolId: string;
  platform: string;
  authorExternalId: string;
  text: string;
  postedAt: Date;
}

const DAY_MS = 24 * 60 * 60 * 1000;
/** Named members of staff one comment is checked against. */
const MAX_TARGETS = 10;

export async function findHarassment(
  db: Queryable,
  comment: HarassmentSubject,
  labels: readonly Label[],
  window: HarassmentWindow,
): Promise<Label | null> {
  if (!labels.some((l) => l.category === 'offensive' && l.subcategory !== 'harassment')) return null;
  const since = new Date(comment.postedAt.getTime() - window.windowDays * DAY_MS);
  const earlier = and(
    eq(comments.schoolId, comment.schoolId),
    ne(comments.id, comment.id),
    gte(comments.postedAt, since),
    lt(comments.postedAt, new Date(comment.postedAt.getTime() + 1)),
    sql`'offensive' = any(${comments.categories})`,
  );
  const needed = window.count - 1;
  // No author id (Meta withholds `from` from a Page without permission): not one author, many unknown.
  if (comment.authorExternalId.trim() !== '') {
    const [byAuthor] = await db
      .select({ n: sql<number>`count(*)::int` })
      .from(comments)
      .where(
        and(
          earlier,
          eq(comments.platform, comment.platform as 'x'),
          eq(comments.authorExternalId, comment.authorExternalId),
        ),
      );
    if ((byAuthor?.n ?? 0) >= needed) return label('harassment_by_author');
  }
  // A few names at most: a comment naming thousands would otherwise be thousands of ILIKEs.
  const targets = namedStaff(comment.text);
  if (targets.length) {
    const [atTarget] = await db
      .select({ n: sql<number>`count(*)::int` })
      .from(comments)
      .where(and(earlier, or(...targets.map((t) => ilike(comments.text, `%${escapeLike(t)}%`)))));
    if ((atTarget?.n ?? 0) >= needed) return label('harassment_of_staff');
  }
  return null;
}

/** The named members of staff ("Mrs Jones") a comment mentions, at most MAX_TARGETS. */
export function namedStaff(text: string): string[] {
  return staffReferences(text)
    .filter((t) => /^(?:mr|mrs|miss|ms|mx|dr|sir)\b/i.test(t))
    .slice(0, MAX_TARGETS);
}

export function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

function label(source: string): Label {
  return {
    category: 'offensive',
    subcategory: 'harassment',
    severity: 'high',
    spans: [],
    source: `rule:conduct/${source}`,
    confidence: 0.9,
  };
}
