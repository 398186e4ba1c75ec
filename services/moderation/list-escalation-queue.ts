import { and, desc, eq, inArray } from 'drizzle-orm';
import { escalations } from '../../db/schema/index.js';
import { SEVERITY_RANK } from '../classification/types.js';
import { inScope, type ServiceContext } from '../core/service-context.js';
import { forbidden } from '../core/service-error.js';
import { type EscalationItem, selectEscalations, toEscalationItem } from './list-escalations.js';

/** The senior leaders' kinds: everything but safeguarding, which the safeguarding leads hold. */
export const QUEUE_KINDS = ['police', 'senior_leader', 'platform_report', 'media'] as const;

/**
 * Within one comment severity, how grave the escalation itself is: illegal conduct referred to the
 * police first, then unacceptable conduct (P7), a report to the platform, a media enquiry (P6).
 */
const KIND_RANK: Record<(typeof QUEUE_KINDS)[number], number> = {
  police: 4,
  senior_leader: 3,
  platform_report: 2,
  media: 1,
};

export type QueueItem = EscalationItem & {
  /** A police referral counts as high whatever the classifier said of the comment. */
  queueSeverity: 'high' | 'medium' | 'low';
};

export interface EscalationQueue {
  /** Open and acknowledged: most severe first, then the gravest kind, then the longest waiting. */
  open: QueueItem[];
  /** The last few closed, with the note that closed them. */
  recentlyClosed: QueueItem[];
  /** Schools where the reader may acknowledge and close (senior leader); elsewhere read-only (auditor). */
  canResolveAt: string[];
}

/**
 * The senior leaders' escalations queue (P6, P7): senior-leader, police, platform-report and media
 * escalations at their schools. Auditors read it and change nothing.
 */
export async function listEscalationQueue(ctx: ServiceContext): Promise<EscalationQueue> {
  const p = ctx.principal;
  const held = p ? [...p.rolesBySchool].filter(([schoolId]) => inScope(ctx, schoolId)) : [];
  const canResolveAt = held.filter(([, roles]) => roles.has('senior_leader')).map(([id]) => id);
  const schoolIds = held
    .filter(([, roles]) => roles.has('senior_leader') || roles.has('auditor'))
    .map(([id]) => id);
  if (schoolIds.length === 0) throw forbidden('Only senior leader or auditor staff may see escalations');
  const base = and(inArray(escalations.schoolId, schoolIds), inArray(escalations.kind, [...QUEUE_KINDS]));
  const openRows = await selectEscalations(ctx)
    .where(and(base, inArray(escalations.status, ['open', 'acknowledged'])))
    .orderBy(escalations.createdAt)
    .limit(500);
  const closedRows = await selectEscalations(ctx)
    .where(and(base, eq(escalations.status, 'closed')))
    .orderBy(desc(escalations.closedAt))
    .limit(20);
  const toItem = (r: Parameters<typeof toEscalationItem>[0]): QueueItem => {
    const item = toEscalationItem(r);
    return { ...item, queueSeverity: item.kind === 'police' ? 'high' : item.severity };
  };
  const rank = (i: QueueItem) => KIND_RANK[i.kind as keyof typeof KIND_RANK] ?? 0;
  const open = openRows
    .map(toItem)
    .sort(
      (a, b) =>
        SEVERITY_RANK[b.queueSeverity] - SEVERITY_RANK[a.queueSeverity] ||
        rank(b) - rank(a) ||
        a.createdAt.getTime() - b.createdAt.getTime(),
    );
  return { open, recentlyClosed: closedRows.map(toItem), canResolveAt };
}
