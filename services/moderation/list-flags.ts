import { aliasedTable, and, arrayContains, desc, eq, inArray, or, sql } from 'drizzle-orm';
import {
  comments,
  moderationActions,
  type StoredLabel,
  socialAccounts,
  users,
} from '../../db/schema/index.js';
import { accountLabel } from '../accounts/account-label.js';
import { type Severity, severityOf } from '../comments/inbox-urgency.js';
import { hasRoleAnywhere } from '../core/principal.js';
import { inScope, queryable, type ServiceContext } from '../core/service-context.js';
import { forbidden } from '../core/service-error.js';
import { type FlagTarget, flagTargetsOf } from './flag-target.js';

/** Longest stretch of comment text a listing carries; the comment page shows the rest. */
export const EXCERPT_CHARS = 280;

export function excerpt(text: string): string {
  return text.length > EXCERPT_CHARS ? `${text.slice(0, EXCERPT_CHARS)}…` : text;
}

export interface FlaggedComment {
  id: string;
  accountId: string;
  accountLabel: string;
  authorHandle: string;
  /** The author's name as the platform gives it (a Facebook commenter is known by name). */
  authorName: string;
  platform: string;
  text: string;
  redacted: boolean;
  labels: StoredLabel[];
  /** The most severe offensive label: the list is ordered by it. */
  severity: Severity | null;
  postedAt: Date;
  deadlineAt: Date | null;
  /** P3: when the flag must be handled by (the school's target, in working minutes from the flag). */
  handleBy: Date;
  targetMinutes: number;
  /** Past its handling target and still open. */
  overdue: boolean;
}

export interface ActionItem {
  id: string;
  schoolId: string;
  accountId: string;
  accountLabel: string;
  commentId: string | null;
  commentExcerpt: string | null;
  kind: string;
  status: string;
  reasonCategory: string;
  reasonText: string;
  proposedBy: string | null;
  proposedByName: string | null;
  confirmedByName: string | null;
  system: boolean;
  expiresAt: Date | null;
  error: string | null;
  createdAt: Date;
  updatedAt: Date;
  /** The caller administers the account and did not propose it: they may confirm. */
  canConfirm: boolean;
  /** The caller proposed it (and so may not confirm it). */
  proposedByCaller: boolean;
}

/**
 * What an admin sees first: proposals waiting for their confirmation (a second admin's job, on a
 * clock), then the flagged comments most severe first (newest first within a severity), then the
 * rest of the proposals and recent actions.
 */
export interface Flags {
  flagged: FlaggedComment[];
  pending: ActionItem[];
  recent: ActionItem[];
}

/** The accounts whose flags the caller sees: those they administer, and every account where they are trust admin. */
async function flagAccountIds(ctx: ServiceContext): Promise<string[]> {
  const p = ctx.principal;
  if (!p) return [];
  const adminOf = [...p.adminOfAccounts].filter(([, schoolId]) => inScope(ctx, schoolId)).map(([id]) => id);
  const trustSchools = [...p.rolesBySchool]
    .filter(([schoolId, roles]) => roles.has('trust_admin') && inScope(ctx, schoolId))
    .map(([schoolId]) => schoolId);
  if (trustSchools.length === 0) return adminOf;
  const rows = await queryable(ctx)
    .select({ id: socialAccounts.id })
    .from(socialAccounts)
    .where(inArray(socialAccounts.schoolId, trustSchools));
  return [...new Set([...adminOf, ...rows.map((r) => r.id)])];
}

/** Moderation actions on some accounts, with proposer and confirmer names and the comment's excerpt. */
export async function loadActionItems(
  ctx: ServiceContext,
  where: ReturnType<typeof and>,
  limit: number,
): Promise<ActionItem[]> {
  const proposer = aliasedTable(users, 'proposer');
  const confirmer = aliasedTable(users, 'confirmer');
  const rows = await queryable(ctx)
    .select({
      action: moderationActions,
      account: { handle: socialAccounts.handle, platform: socialAccounts.platform },
      text: comments.text,
      redactedAt: comments.redactedAt,
      proposedByName: proposer.displayName,
      confirmedByName: confirmer.displayName,
    })
    .from(moderationActions)
    .innerJoin(socialAccounts, eq(socialAccounts.id, moderationActions.accountId))
    .leftJoin(comments, eq(comments.id, moderationActions.commentId))
    .leftJoin(proposer, eq(proposer.id, moderationActions.proposedBy))
    .leftJoin(confirmer, eq(confirmer.id, moderationActions.confirmedBy))
    .where(where)
    .orderBy(desc(moderationActions.updatedAt))
    .limit(limit);
  const userId = ctx.actor.type === 'user' ? ctx.actor.id : null;
  return rows.map(({ action: a, account, text, redactedAt, proposedByName, confirmedByName }) => ({
    id: a.id,
    schoolId: a.schoolId,
    accountId: a.accountId,
    accountLabel: accountLabel(account),
    commentId: a.commentId,
    commentExcerpt: text === null ? null : redactedAt ? null : excerpt(text),
    kind: a.kind,
    status: a.status,
    reasonCategory: a.reasonCategory,
    reasonText: a.reasonText,
    proposedBy: a.proposedBy,
    proposedByName,
    confirmedByName,
    system: a.system,
    expiresAt: a.expiresAt,
    error: a.error,
    createdAt: a.createdAt,
    updatedAt: a.updatedAt,
    proposedByCaller: !!userId && a.proposedBy === userId,
    canConfirm:
      a.status === 'proposed' &&
      !!userId &&
      a.proposedBy !== userId &&
      !!ctx.principal?.adminOfAccounts.has(a.accountId),
  }));
}

/**
 * The admins' flags view (P3, P4): open comments flagged offensive on the accounts they
 * administer, proposals waiting for a second admin, and what happened to recent actions.
 */
export async function listFlags(ctx: ServiceContext): Promise<Flags> {
  if (ctx.actor.type !== 'user') throw forbidden('Flags are shown to people');
  const accountIds = await flagAccountIds(ctx);
  const p = ctx.principal;
  const trustAdmin = !!p && hasRoleAnywhere(p, ['trust_admin']);
  if (!p || !(trustAdmin || p.adminOfAccounts.size > 0)) {
    throw forbidden('Only account admins or trust admins may see flags');
  }
  if (accountIds.length === 0) return { flagged: [], pending: [], recent: [] };
  const db = queryable(ctx);
  const flaggedRows = await db
    .select({
      id: comments.id,
      schoolId: comments.schoolId,
      flaggedAt: sql<Date>`coalesce(${comments.processedAt}, ${comments.ingestedAt})`.mapWith(
        comments.ingestedAt,
      ),
      accountId: comments.accountId,
      handle: socialAccounts.handle,
      platform: socialAccounts.platform,
      authorHandle: comments.authorHandle,
      authorName: comments.authorName,
      text: comments.text,
      redactedAt: comments.redactedAt,
      labels: comments.labels,
      postedAt: comments.postedAt,
      deadlineAt: comments.deadlineAt,
    })
    .from(comments)
    .innerJoin(socialAccounts, eq(socialAccounts.id, comments.accountId))
    .where(
      and(
        inArray(comments.accountId, accountIds),
        eq(comments.status, 'open'),
        arrayContains(comments.categories, ['offensive']),
      ),
    )
    .orderBy(
      sql`case when ${comments.labels} @> '[{"category":"offensive","severity":"high"}]' then 0
        when ${comments.labels} @> '[{"category":"offensive","severity":"medium"}]' then 1 else 2 end`,
      desc(comments.postedAt),
    )
    .limit(100);
  const proposals = await loadActionItems(
    ctx,
    and(inArray(moderationActions.accountId, accountIds), eq(moderationActions.status, 'proposed')),
    100,
  );
  // Those the caller can confirm first (stable: otherwise most recently changed first).
  const pending = [...proposals.filter((a) => a.canConfirm), ...proposals.filter((a) => !a.canConfirm)];
  const recent = await loadActionItems(
    ctx,
    and(
      inArray(moderationActions.accountId, accountIds),
      or(
        inArray(moderationActions.status, ['approved', 'queued', 'executing', 'succeeded', 'failed']),
        inArray(moderationActions.status, ['rejected', 'expired']),
      ),
    ),
    50,
  );
  const targets = await flagTargetsOf(
    db,
    flaggedRows.map((r) => r.schoolId),
  );
  const now = new Date();
  return {
    flagged: flaggedRows.map((r) => ({
      id: r.id,
      accountId: r.accountId,
      accountLabel: accountLabel(r),
      authorHandle: r.redactedAt ? '' : r.authorHandle,
      authorName: r.redactedAt ? '' : r.authorName,
      platform: r.platform,
      text: r.redactedAt ? '' : excerpt(r.text),
      redacted: !!r.redactedAt,
      labels: r.labels.filter((l) => l.category === 'offensive'),
      severity: severityOf(r.labels.filter((l) => l.category === 'offensive')),
      postedAt: r.postedAt,
      deadlineAt: r.deadlineAt,
      ...handling(targets.get(r.schoolId)!, r.flaggedAt, now),
    })),
    pending,
    recent,
  };
}

function handling(target: FlagTarget, flaggedAt: Date, now: Date) {
  const handleBy = target.handleBy(flaggedAt);
  return { handleBy, targetMinutes: target.minutes, overdue: handleBy < now };
}
