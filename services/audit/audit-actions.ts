/**
 * Every kind of audit entry, `{entity}.{verb}`, with the type of subject it is about. One list, so
 * an auditor's filter, the completeness test and the UI all read the same names.
 */
export const AUDIT_ACTIONS = {
  // Official accounts (P4, P5)
  'account.proposed': 'account',
  'account.approved': 'account',
  'account.rejected': 'account',
  'account.connected': 'account',
  'account.connect_refused': 'account',
  'account.activated': 'account',
  'account.suspended': 'account',
  'account.retired': 'account',
  'account.reviewed': 'account',
  'account.settings_changed': 'account',
  'account.admin_added': 'account',
  'account.admin_removed': 'account',
  'account.credentials_refreshed': 'account',
  'account.needs_reauth': 'account',
  'account.coverage_gap': 'account',
  'account.poll_failed': 'account',
  'account.comments_ingested': 'account',
  // Comments and responses (P2, P6, P10, P11)
  'comment.flagged': 'comment',
  'comment.classified_externally_failed': 'comment',
  'comment.deadline_set': 'comment',
  'comment.deadline_warning': 'comment',
  'comment.deadline_breached': 'comment',
  'comment.assigned': 'comment',
  'comment.responded': 'comment',
  'comment.closed': 'comment',
  'comment.reopened': 'comment',
  'comment.redacted': 'comment',
  'response.queued': 'response',
  'response.approval_requested': 'response',
  'response.approved': 'response',
  'response.rejected': 'response',
  'response.sent': 'response',
  'response.failed': 'response',
  'response.check_overridden': 'response',
  // Moderation (P3)
  'action.proposed': 'action',
  'action.approved': 'action',
  'action.rejected': 'action',
  'action.expired': 'action',
  'action.queued': 'action',
  'action.executing': 'action',
  'action.succeeded': 'action',
  'action.failed': 'action',
  'action.recorded': 'action',
  'action.break_glass': 'action',
  // Escalation (P7, P8)
  'escalation.raised': 'escalation',
  'escalation.acknowledged': 'escalation',
  'escalation.closed': 'escalation',
  'escalation.referred': 'escalation',
  // School settings
  'school.calendar_changed': 'school',
  'school.settings_changed': 'school',
  'school.policy_version_set': 'school',
  'school.lexicon_changed': 'school',
  'school.roster_changed': 'school',
  'policy.acknowledged': 'user',
  // People and sign-in
  'user.created': 'user',
  'user.signed_in': 'user',
  'user.sign_in_failed': 'user',
  'user.signed_out': 'user',
  'user.disabled': 'user',
  'user.enabled': 'user',
  'user.role_granted': 'user',
  'user.role_revoked': 'user',
  'user.password_set': 'user',
  'user.sso_linked': 'user',
  'request.refused': 'request',
  // The audit log itself and retention (P12)
  'audit.checkpoint_signed': 'audit',
  'audit.exported': 'audit',
  'retention.redacted': 'school',
  'subject_access.exported': 'platform_user',
  'subject_access.erased': 'platform_user',
} as const;

export type AuditAction = keyof typeof AUDIT_ACTIONS;
export type AuditSubjectType = (typeof AUDIT_ACTIONS)[AuditAction];

export function isAuditAction(value: string): value is AuditAction {
  return Object.hasOwn(AUDIT_ACTIONS, value);
}
