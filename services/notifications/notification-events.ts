/**
 * Every event Hallmonitor notifies people of, as shown on the preferences page. `alwaysUrgent`
 * events (safeguarding escalations, deadline breaches) go out at once on every channel the person
 * has, whatever the caller passed and whatever their preferences say: they are never batched into
 * a digest and never muted.
 */
export const NOTIFICATION_EVENTS = {
  'comment.flagged': {
    label: 'A comment on an account you administer is flagged offensive',
    mustStayOn: true,
  },
  'comment.auto_hidden': {
    label: 'A comment on an account you administer is hidden automatically',
    mustStayOn: true,
  },
  'escalation.safeguarding': { label: 'Safeguarding escalation', alwaysUrgent: true },
  'escalation.media': { label: 'Media enquiry' },
  'escalation.raised': { label: 'A comment is escalated to senior leaders' },
  'escalation.referred': { label: 'A comment is referred to the police or the platform' },
  'comment.deadline_warning': { label: 'A comment is close to its response deadline' },
  'comment.deadline_breached': { label: 'A comment has missed its response deadline', alwaysUrgent: true },
  'action.proposed': { label: 'A moderation action needs your confirmation' },
  'action.confirmed': { label: 'Your proposed moderation action was confirmed' },
  'action.rejected': { label: 'Your proposed moderation action was rejected' },
  'action.failed': { label: 'A moderation action failed on the platform' },
  'action.expired': { label: 'Your proposed moderation action expired' },
  'action.break_glass': { label: 'A senior leader confirmed an action in place of the second admin' },
  'account.proposed': { label: 'A new official account is proposed' },
  'account.approved': { label: 'An account you proposed is approved' },
  'account.rejected': { label: 'An account you proposed is rejected' },
  'account.review_due': { label: "An account's approval is due for review" },
  'account.admin_added': { label: 'You are made an admin of an account' },
  'account.needs_reauth': { label: 'An account needs re-connecting' },
  'account.coverage_gap': { label: 'Comments on an account may have been missed' },
  'monitoring.untriaged_day': { label: 'Nobody triaged an account on a working day' },
  'account.item_quarantined': { label: 'A comment on an account could not be read and is held for you' },
  'account.polling_failing': { label: 'Polling an account keeps failing' },
  'account.at_risk': { label: 'An account is left short of admins or of a safeguarding lead' },
  'account.risk_overdue': { label: 'An account at risk is past its replacement deadline' },
  'comment.pupil': { label: 'A comment that appears to come from a pupil (for the behaviour lead)' },
  'comment.follow_up_overdue': { label: 'A comment awaiting a full answer is past its follow-up target' },
  'parent_request.removed': { label: 'A parent removed the comment they were asked to remove' },
  'policy.acknowledgement_requested': { label: 'Please acknowledge the social media policy' },
  'user.sign_in_attacked': {
    label: 'Someone is trying to guess your password',
    alwaysUrgent: true,
    personal: true,
  },
} as const satisfies Record<
  string,
  { label: string; alwaysUrgent?: boolean; personal?: boolean; mustStayOn?: boolean }
>;

export type NotificationEvent = keyof typeof NOTIFICATION_EVENTS;

export const NOTIFICATION_EVENT_NAMES = Object.keys(NOTIFICATION_EVENTS) as NotificationEvent[];

export function isNotificationEvent(event: string): event is NotificationEvent {
  return Object.hasOwn(NOTIFICATION_EVENTS, event);
}

/** About one person's own account: never announced on the school's shared channel. */
export function isPersonal(event: string): boolean {
  return isNotificationEvent(event) && 'personal' in NOTIFICATION_EVENTS[event];
}

export function isAlwaysUrgent(event: string): boolean {
  return isNotificationEvent(event) && 'alwaysUrgent' in NOTIFICATION_EVENTS[event];
}

/**
 * P3: offensive flags on a person's own accounts reach them in the app and by email whatever they
 * choose (a digest is allowed; off is not).
 */
export function mustStayOn(event: string): boolean {
  return isNotificationEvent(event) && 'mustStayOn' in NOTIFICATION_EVENTS[event];
}
