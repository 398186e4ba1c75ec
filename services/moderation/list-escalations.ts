import { aliasedTable, and, desc, eq, inArray } from 'drizzle-orm';
import {
  comments,
  type ESCALATION_KINDS,
  escalations,
  type StoredLabel,
  socialAccounts,
  users,
} from '../../db/schema/index.js';

type EscalationKind = (typeof ESCALATION_KINDS)[number];

import { accountLabel } from '../accounts/account-label.js';
import { SEVERITY_RANK } from '../classification/types.js';
import { inScope, queryable, type ServiceContext } from '../core/service-context.js';
import { forbidden } from '../core/service-error.js';
import { excerpt } from './list-flags.js';

export interface EscalationItem {
  id: string;
  schoolId: string;
  kind: EscalationKind;
  status: 'open' | 'acknowledged' | 'closed';
  /** The classifier's findings, or the note of the person who raised it. */
  reason: string;
  /** The police incident number or the platform's report reference. */
  externalReference: string | null;
  /** P7: a police-referral step for possibly illegal conduct: due, referred, not_referred; null: none. */
  policeReferral: 'due' | 'referred' | 'not_referred' | null;
  /** P7 harassment: later comments by the same author that joined this escalation, oldest first. */
  laterCommentIds: string[];
  /** null when the system raised it from a classification. */
  raisedByName: string | null;
  createdAt: Date;
  acknowledgedAt: Date | null;
  acknowledgedByName: string | null;
  closedAt: Date | null;
  closedByName: string | null;
  closingNote: string | null;
  commentId: string | null;
  accountLabel: string | null;
  commentExcerpt: string | null;
  authorHandle: string | null;
  authorName: string | null;
  platform: string | null;
  labels: StoredLabel[];
  /** The most severe label on the comment: high, medium or low (low when none). */
  severity: 'high' | 'medium' | 'low';
}

export interface SafeguardingEscalations {
  /** Open and acknowledged: never closed by the system, only by a safeguarding lead. */
  open: EscalationItem[];
  /** The last few closed, for the record. */
  recentlyClosed: EscalationItem[];
}

/**
 * The safeguarding leads' view (P8, P11): safeguarding escalations at their schools that are
 * still open or acknowledged, most severe first and newest first within a severity.
 */
export async function listSafeguardingEscalations(ctx: ServiceContext): Promise<SafeguardingEscalations> {
  const p = ctx.principal;
  const schoolIds = p
    ? [...p.rolesBySchool]
        .filter(([schoolId, roles]) => roles.has('safeguarding_lead') && inScope(ctx, schoolId))
        .map(([schoolId]) => schoolId)
    : [];
  if (schoolIds.length === 0)
    throw forbidden('Only safeguarding lead staff may see safeguarding escalations');
  const select = () => selectEscalations(ctx);
  const base = and(inArray(escalations.schoolId, schoolIds), eq(escalations.kind, 'safeguarding'));
  const openRows = await select()
    .where(and(base, inArray(escalations.status, ['open', 'acknowledged'])))
    .orderBy(desc(escalations.createdAt))
    .limit(500);
  const closedRows = await select()
    .where(and(base, eq(escalations.status, 'closed')))
    .orderBy(desc(escalations.closedAt))
    .limit(20);
  const toItem = toEscalationItem;
  const open = openRows
    .map(toItem)
    .sort(
      (a, b) =>
        SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] ||
        b.createdAt.getTime() - a.createdAt.getTime(),
    );
  return { open, recentlyClosed: closedRows.map(toItem) };
}

/** Escalations with their comment, account and the people who acknowledged and closed them. */
export function selectEscalations(ctx: ServiceContext) {
  const acknowledger = aliasedTable(users, 'acknowledger');
  const closer = aliasedTable(users, 'closer');
  const raiser = aliasedTable(users, 'raiser');
  return queryable(ctx)
    .select({
      e: escalations,
      acknowledgedByName: acknowledger.displayName,
      closedByName: closer.displayName,
      raisedByName: raiser.displayName,
      text: comments.text,
      redactedAt: comments.redactedAt,
      authorHandle: comments.authorHandle,
      authorName: comments.authorName,
      labels: comments.labels,
      handle: socialAccounts.handle,
      platform: socialAccounts.platform,
    })
    .from(escalations)
    .leftJoin(comments, eq(comments.id, escalations.commentId))
    .leftJoin(socialAccounts, eq(socialAccounts.id, comments.accountId))
    .leftJoin(acknowledger, eq(acknowledger.id, escalations.acknowledgedBy))
    .leftJoin(closer, eq(closer.id, escalations.closedBy))
    .leftJoin(raiser, eq(raiser.id, escalations.raisedBy));
}

type EscalationRow = Awaited<ReturnType<ReturnType<typeof selectEscalations>['execute']>>[number];

export function toEscalationItem(r: EscalationRow): EscalationItem {
  const labels = r.labels ?? [];
  const top = labels.reduce<'high' | 'medium' | 'low'>(
    (best, l) => (SEVERITY_RANK[l.severity] > SEVERITY_RANK[best] ? l.severity : best),
    'low',
  );
  const redacted = !!r.redactedAt;
  return {
    id: r.e.id,
    schoolId: r.e.schoolId,
    kind: r.e.kind,
    status: r.e.status,
    reason: r.e.reason,
    externalReference: r.e.externalReference,
    policeReferral: r.e.policeReferral,
    laterCommentIds: r.e.laterCommentIds,
    raisedByName: r.e.raisedBy ? r.raisedByName : null,
    createdAt: r.e.createdAt,
    acknowledgedAt: r.e.acknowledgedAt,
    acknowledgedByName: r.acknowledgedByName,
    closedAt: r.e.closedAt,
    closedByName: r.closedByName,
    closingNote: r.e.closingNote,
    commentId: r.e.commentId,
    accountLabel: r.handle && r.platform ? accountLabel({ handle: r.handle, platform: r.platform }) : null,
    commentExcerpt: r.text === null || redacted ? null : excerpt(r.text),
    authorHandle: redacted ? null : r.authorHandle,
    authorName: redacted ? null : r.authorName,
    platform: r.platform,
    labels,
    severity: top,
  };
}
