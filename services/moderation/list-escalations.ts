import { aliasedTable, and, desc, eq, inArray } from 'drizzle-orm';
import { comments, escalations, type StoredLabel, socialAccounts, users } from '../../db/schema/index.js';
import { accountLabel } from '../accounts/account-label.js';
import { SEVERITY_RANK } from '../classification/types.js';
import { inScope, queryable, type ServiceContext } from '../core/service-context.js';
import { forbidden } from '../core/service-error.js';
import { excerpt } from './list-flags.js';

export interface EscalationItem {
  id: string;
  schoolId: string;
  status: 'open' | 'acknowledged' | 'closed';
  reason: string;
  createdAt: Date;
  acknowledgedAt: Date | null;
  acknowledgedByName: string | null;
  closedAt: Date | null;
  commentId: string | null;
  accountLabel: string | null;
  commentExcerpt: string | null;
  authorHandle: string | null;
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
  const acknowledger = aliasedTable(users, 'acknowledger');
  const select = () =>
    queryable(ctx)
      .select({
        e: escalations,
        acknowledgedByName: acknowledger.displayName,
        text: comments.text,
        redactedAt: comments.redactedAt,
        authorHandle: comments.authorHandle,
        labels: comments.labels,
        handle: socialAccounts.handle,
        platform: socialAccounts.platform,
      })
      .from(escalations)
      .leftJoin(comments, eq(comments.id, escalations.commentId))
      .leftJoin(socialAccounts, eq(socialAccounts.id, comments.accountId))
      .leftJoin(acknowledger, eq(acknowledger.id, escalations.acknowledgedBy));
  const base = and(inArray(escalations.schoolId, schoolIds), eq(escalations.kind, 'safeguarding'));
  const openRows = await select()
    .where(and(base, inArray(escalations.status, ['open', 'acknowledged'])))
    .orderBy(desc(escalations.createdAt))
    .limit(500);
  const closedRows = await select()
    .where(and(base, eq(escalations.status, 'closed')))
    .orderBy(desc(escalations.closedAt))
    .limit(20);
  const toItem = (r: (typeof openRows)[number]): EscalationItem => {
    const labels = r.labels ?? [];
    const top = labels.reduce<'high' | 'medium' | 'low'>(
      (best, l) => (SEVERITY_RANK[l.severity] > SEVERITY_RANK[best] ? l.severity : best),
      'low',
    );
    const redacted = !!r.redactedAt;
    return {
      id: r.e.id,
      schoolId: r.e.schoolId,
      status: r.e.status,
      reason: r.e.reason,
      createdAt: r.e.createdAt,
      acknowledgedAt: r.e.acknowledgedAt,
      acknowledgedByName: r.acknowledgedByName,
      closedAt: r.e.closedAt,
      commentId: r.e.commentId,
      accountLabel: r.handle && r.platform ? accountLabel({ handle: r.handle, platform: r.platform }) : null,
      commentExcerpt: r.text === null || redacted ? null : excerpt(r.text),
      authorHandle: redacted ? null : r.authorHandle,
      labels,
      severity: top,
    };
  };
  const open = openRows
    .map(toItem)
    .sort(
      (a, b) =>
        SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] ||
        b.createdAt.getTime() - a.createdAt.getTime(),
    );
  return { open, recentlyClosed: closedRows.map(toItem) };
}
