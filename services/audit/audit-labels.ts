import { DateTime } from 'luxon';
import type { AuditAction } from './audit-actions.js';

/**
 * How an audit entry reads to a person, shared by the audit page and the comment page's History:
 * the action ("comment.deadline_set" → "Deadline set") and a comment subject ("Comment by @author
 * on 4 Dec 2026", the day in the school's zone; the handle is public text, escaped by the page).
 */

/** Where the plain "verb with spaces" reading of an action name would say the wrong thing. */
const ACTION_WORDING: Partial<Record<AuditAction, string>> = {
  'comment.flagged': 'Flagged by the classifier',
  'comment.seen': 'Seen (internal note; the commenter was not answered)',
  'monitoring.untriaged_day': 'Untriaged day found (P1)',
  'comment.corrected': 'Flag corrected by staff',
  'comment.responded': 'Response recorded',
  'comment.deadline_warning': 'Deadline warning sent',
  'comment.deadline_breached': 'Deadline missed',
  'response.check_overridden': 'Outgoing check overridden',
  'action.break_glass': 'Emergency action (break glass)',
  'comment.author_marked': 'Author marked (parent or pupil)',
  'comment.author_unmarked': 'Author mark undone',
  'comment.pupil_routed': 'Sent to the behaviour lead (a pupil)',
  'comment.parent_asked': 'Parent asked to remove it and invited to talk',
  'comment.parent_removed': 'Removed by the parent (read back from the platform)',
  'comment.parent_escalated': 'Parent request escalated',
  'comment.held_released': 'No longer held for review (read back from the platform)',
  'comment.follow_up_overdue': 'Follow-up overdue: people told',
  'response.pupil_override': 'Reply to a pupil allowed by a senior leader',
};

/** "comment.deadline_set" → "Deadline set"; "response.sent" → "Response sent". */
export function auditActionLabel(action: string): string {
  const worded = ACTION_WORDING[action as AuditAction];
  if (worded) return worded;
  const [entity = '', verb = ''] = action.split('.', 2);
  if (!verb) return action;
  const words = verb.replaceAll('_', ' ');
  // The entity says what the verb is about except on comments (the page's subject column says that).
  const text = entity === 'comment' ? words : `${entity.replaceAll('_', ' ')} ${words}`;
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** A comment as a person names it: its author's handle (null once redacted) and the day it was posted. */
export interface CommentLabel {
  handle: string | null;
  day: string;
  /** The author is known by name, not a handle (a Facebook commenter): no "@" before it. */
  byName?: boolean;
}

export function commentLabelOf(
  c: { authorHandle: string; postedAt: Date; redacted: boolean },
  zone: string,
  /** The author is known by name, not a handle (a Facebook commenter). */
  byName = false,
): CommentLabel {
  const day = DateTime.fromJSDate(c.postedAt).setZone(zone).toFormat('d LLL yyyy', { locale: 'en-GB' });
  return {
    handle: c.redacted ? null : c.authorHandle,
    day,
    ...(byName ? { byName: true } : {}),
  };
}

const ESCALATION_KINDS: Record<string, string> = {
  safeguarding: 'Safeguarding',
  senior_leader: 'Senior leader',
  police: 'Police',
  platform_report: 'Platform report',
  media: 'Media',
};

/**
 * An escalation as its audit subject names it: "Safeguarding escalation of a comment on
 * @oakfield on X". It goes into the hashed chain, so it holds no personal data (no author, no
 * comment text) and no platform id; the comment is in the entry's details, the page links it.
 */
export function escalationSubjectLabel(kind: string, onAccount: string): string {
  const name = ESCALATION_KINDS[kind] ?? kind.replaceAll('_', ' ');
  return `${name} escalation of a comment on ${onAccount}`;
}
