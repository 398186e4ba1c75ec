import type { Transaction } from '../../db/client.js';
import { escalations } from '../../db/schema/index.js';
import { escalationSubjectLabel } from '../audit/audit-labels.js';
import { type AuditEntryInput, emitAudit } from '../audit/emit-audit.js';
import type { ServiceContext } from '../core/service-context.js';
import { notifyUsers, schoolRoleUserIds } from '../notifications/notify-users.js';
import { fallbackNote, recipientChain } from '../notifications/recipient-chain.js';

/** What both the classifier's routing and a person raising a concern by hand say about the comment. */
export interface EscalatedComment {
  schoolId: string;
  commentId: string;
  /** "@oakfield on X" (the audit subject reads "Safeguarding escalation of a comment on @oakfield on X") */
  onAccount: string;
  schoolName: string | null;
}

export interface SafeguardingRoute {
  /** Kept on the escalation: the classifier's findings, or the note of the person who raised it. */
  reason: string;
  /** The notification's first sentence (emailed: never the comment's words). */
  summary: string;
  /** null when the classifier raised it. */
  raisedBy: string | null;
  details: Record<string, unknown>;
  personal?: Record<string, unknown>;
  /** The safeguarding leads to tell; the routing step reads them once per batch. */
  leads?: () => Promise<string[]>;
  /** Who raised it by hand (told nothing: they know). */
  exclude?: string;
}

/**
 * A safeguarding concern reaches the school's safeguarding leads at once (P8, P11): an escalation
 * row, its audit entry and an always-urgent notification, in the caller's transaction. The one
 * path for a classified concern and one raised by hand, so both are recorded and delivered alike.
 * With no safeguarding lead able to receive it, the senior leaders are told instead.
 */
export async function routeSafeguardingConcern(
  tx: Transaction,
  ctx: Pick<ServiceContext, 'actor' | 'requestId'>,
  comment: EscalatedComment,
  route: SafeguardingRoute,
): Promise<{ escalationId: string; notified: string[]; fallback: boolean }> {
  const [escalation] = await tx
    .insert(escalations)
    .values({
      schoolId: comment.schoolId,
      commentId: comment.commentId,
      kind: 'safeguarding',
      reason: route.reason,
      raisedBy: route.raisedBy,
    })
    .returning({ id: escalations.id });
  const escalationId = escalation!.id;
  const entry: AuditEntryInput = {
    action: 'escalation.raised',
    schoolId: comment.schoolId,
    subject: {
      type: 'escalation',
      id: escalationId,
      label: escalationSubjectLabel('safeguarding', comment.onAccount),
    },
    details: { kind: 'safeguarding', commentId: comment.commentId, ...route.details },
    ...(route.personal ? { personal: route.personal } : {}),
  };
  await emitAudit(tx, ctx, entry);
  const leads = await (
    route.leads ?? (() => schoolRoleUserIds(tx, comment.schoolId, ['safeguarding_lead']))
  )();
  const fallback = leads.length === 0;
  // Never to nobody: no lead → senior leaders → trust admins (recipient-chain.ts).
  const chain = fallback
    ? await recipientChain(tx, comment.schoolId, ['senior_leader'], route.exclude)
    : null;
  const recipients = chain ? chain.userIds : leads.filter((id) => id !== route.exclude);
  await notifyUsers(tx, {
    schoolId: comment.schoolId,
    userIds: recipients,
    event: 'escalation.safeguarding',
    urgency: 'urgent',
    title: `Safeguarding concern on ${comment.onAccount}${comment.schoolName ? ` (${comment.schoolName})` : ''}`,
    body: chain
      ? chain.via === 'senior_leader'
        ? `${route.summary}. The school has no safeguarding lead in Hallmonitor, so senior leaders are told: review it now.`
        : `${route.summary}. ${fallbackNote(chain.via, 'safeguarding lead or senior leader')} Review it now.`
      : `${route.summary}. Review it now.`,
    link: `/comments/${comment.commentId}`,
    subject: { type: 'comment', id: comment.commentId },
  });
  return { escalationId, notified: recipients, fallback };
}

/**
 * Misuse reported to senior leaders (P7): the same record and notification as an admin's
 * escalation to a senior leader, raised by any member of staff.
 */
export async function routeMisuseReport(
  tx: Transaction,
  ctx: Pick<ServiceContext, 'actor' | 'requestId'>,
  comment: EscalatedComment,
  report: { summary: string; raisedBy: string; note: string },
): Promise<{ escalationId: string; notified: string[] }> {
  const [escalation] = await tx
    .insert(escalations)
    .values({
      schoolId: comment.schoolId,
      commentId: comment.commentId,
      kind: 'senior_leader',
      reason: report.note,
      raisedBy: report.raisedBy,
    })
    .returning({ id: escalations.id });
  const escalationId = escalation!.id;
  await emitAudit(tx, ctx, {
    action: 'escalation.raised',
    schoolId: comment.schoolId,
    subject: {
      type: 'escalation',
      id: escalationId,
      label: escalationSubjectLabel('senior_leader', comment.onAccount),
    },
    details: { kind: 'senior_leader', commentId: comment.commentId, raisedByHand: true, misuse: true },
    personal: { note: report.note },
  });
  const recipients = (await recipientChain(tx, comment.schoolId, ['senior_leader'], report.raisedBy)).userIds;
  await notifyUsers(tx, {
    schoolId: comment.schoolId,
    userIds: recipients,
    event: 'escalation.raised',
    urgency: 'urgent',
    title: `Misuse reported on ${comment.onAccount}`,
    body: `${report.summary}: ${report.note}`,
    link: `/comments/${comment.commentId}`,
    subject: { type: 'escalation', id: escalationId },
  });
  return { escalationId, notified: recipients };
}
