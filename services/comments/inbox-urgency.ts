/**
 * The inbox's order, in one place: safeguarding first, then threats, then everything else; within
 * each, the soonest deadline first. Postgres keeps the rank in comments.urgency (a generated column
 * whose expression is this rule; tests/unit/comments/inbox-urgency.test.ts holds the two together).
 */
export const URGENCY_RANKS = { safeguarding: 0, threat: 1, other: 2 } as const;
export type UrgencyRank = (typeof URGENCY_RANKS)[keyof typeof URGENCY_RANKS];

/** What the inbox page tells the reader about its order. */
export const URGENCY_EXPLANATION =
  'Safeguarding concerns come first, then threats, then every other comment by its response deadline, soonest first.';

type LabelLike = { category: string; subcategory: string };

export function urgencyOf(labels: readonly LabelLike[]): UrgencyRank {
  if (labels.some((l) => l.category === 'safeguarding')) return URGENCY_RANKS.safeguarding;
  if (labels.some((l) => l.category === 'offensive' && l.subcategory === 'threat'))
    return URGENCY_RANKS.threat;
  return URGENCY_RANKS.other;
}

export const SEVERITIES = ['high', 'medium', 'low'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** A comment's badge: its most severe label's severity, or null when nothing was flagged. */
export function severityOf(labels: readonly { severity: string }[]): Severity | null {
  for (const s of SEVERITIES) if (labels.some((l) => l.severity === s)) return s;
  return null;
}

/**
 * What a row says about its deadline. Only an open comment has one running: a responded or closed
 * comment never shows "due in …".
 */
export type DueState = 'responded' | 'closed' | 'breached' | 'due' | 'unset';

export function dueStateOf(c: {
  status: string;
  deadlineAt: Date | null;
  breachedAt: Date | null;
}): DueState {
  if (c.status === 'responded') return 'responded';
  if (c.status === 'closed') return 'closed';
  if (c.breachedAt) return 'breached';
  return c.deadlineAt ? 'due' : 'unset';
}
