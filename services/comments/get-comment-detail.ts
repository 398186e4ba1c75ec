import { aliasedTable, and, asc, desc, eq, inArray, lt, ne, or } from 'drizzle-orm';
import type { Queryable } from '../../db/client.js';
import {
  auditEntries,
  comments,
  escalations,
  moderationActions,
  responses,
  type StoredLabel,
  type StoredTierOutcome,
  users,
} from '../../db/schema/index.js';
import { holdsRole, isAccountAdmin } from '../accounts/account-access.js';
import { CORRECTORS } from '../classification/corrections/correction-roles.js';
import type { ServiceContext } from '../core/service-context.js';
import { loadCommentWithAccount } from '../moderation/action-access.js';
import { type ActionOutcome, describeOutcome } from '../moderation/action-outcome.js';
import { type AvailableAction, availableActions } from '../moderation/available-actions.js';
import { escalateCommentInput } from '../moderation/escalate-comment.js';
import type { NoticeTemplateId } from '../moderation/notice-templates.js';
import { CONCERN_KINDS, CONCERN_STAFF_ROLES, type ConcernKind } from '../moderation/raise-concern.js';
import type { PlatformName } from '../platforms/adapter.js';
import { assignableUsers } from './assignable-users.js';
import { listSavedReplies } from './list-saved-replies.js';

/** How many comments of the thread, and of the author's history, the page shows. */
const THREAD_LIMIT = 50;
const AUTHOR_HISTORY_LIMIT = 10;
const HISTORY_LIMIT = 500;

export interface CommentSummary {
  id: string;
  authorHandle: string;
  authorName: string;
  /** Empty when the retention policy removed it (`redacted`). */
  text: string;
  postedAt: Date;
  status: string;
  redacted: boolean;
  /** True for the comment the page is about. */
  current: boolean;
}

export interface CommentDetail {
  comment: {
    id: string;
    schoolId: string;
    accountId: string;
    accountHandle: string;
    platform: PlatformName;
    authorHandle: string;
    authorName: string;
    text: string;
    textTruncated: boolean;
    url: string | null;
    postedAt: Date;
    status: string;
    labels: StoredLabel[];
    /** The outside classifiers asked (those the trust turned on) and what each did. */
    externalTiers?: StoredTierOutcome[];
    deadlineAt: Date | null;
    /** When the deadline clock started: posting, or the account's activation for a backlog comment. */
    deadlineClockStartedAt: Date | null;
    warnAt: Date | null;
    breachedAt: Date | null;
    firstResponseAt: Date | null;
    resolvedAt: Date | null;
    /** P2: answered in full; null while only held by a holding reply (then due by followUpDueAt). */
    answeredAt: Date | null;
    followUpDueAt: Date | null;
    assignee: { id: string; name: string } | null;
    redacted: boolean;
    /** The platform holds it back until an account admin publishes or rejects it (YouTube). */
    heldByPlatform: boolean;
  };
  /** The conversation around it on this account, oldest first (the comment itself included). */
  thread: CommentSummary[];
  /** The author's earlier comments at this school, newest first. */
  authorHistory: CommentSummary[];
  responses: {
    id: string;
    kind: string;
    status: string;
    /** A reply the school took off the platform as sent in error, and why. */
    removedAt: Date | null;
    removedReason: string | null;
    text: string;
    channel: string | null;
    note: string | null;
    /** Offline contact: who was contacted (P2). */
    contactPerson: string | null;
    holding: boolean;
    actorName: string;
    createdAt: Date;
    completedAt: Date | null;
    error: string | null;
  }[];
  actions: {
    id: string;
    kind: string;
    mode: string;
    status: string;
    reasonCategory: string;
    reasonText: string;
    proposedBy: { id: string; name: string } | null;
    confirmedBy: { id: string; name: string } | null;
    expiresAt: Date | null;
    createdAt: Date;
    completedAt: Date | null;
    error: string | null;
    /** Where it stands and what can be done next, in plain words. */
    outcome: ActionOutcome;
  }[];
  escalations: {
    id: string;
    kind: string;
    status: string;
    reason: string;
    createdAt: Date;
    raisedByName: string | null;
  }[];
  /** Audit entries about this comment, its responses, actions and escalations, oldest first. */
  history: {
    seq: number;
    at: Date;
    actor: string;
    actorType: string;
    action: string;
    subject: string;
    subjectType: string;
    subjectId: string | null;
  }[];
  available: {
    actions: AvailableAction[];
    noticeTemplates: { id: NoticeTemplateId; title: string }[];
    notices: Awaited<ReturnType<typeof availableActions>>['notices'];
    escalationKinds: string[];
    /** Raised by any member of staff: to the safeguarding leads, or misuse to a senior leader. */
    concernKinds: ConcernKind[];
  };
  /** The school's saved replies (edited in its settings), for the composer. */
  replyTemplates: { id: string; title: string; text: string }[];
  /** People who may be given the comment to answer. */
  assignable: { id: string; name: string }[];
  /** What the caller may do here (each verb checks again). */
  can: {
    respond: boolean;
    close: boolean;
    moderate: boolean;
    escalate: boolean;
    assign: boolean;
    raiseConcern: boolean;
    /** Flag this / not a problem (staff teaching the classifier). */
    correct: boolean;
    /** Send a reply the outgoing check refused, with a reason: senior leaders only (P11). */
    overrideCheck: boolean;
  };
  viewerId: string | null;
}

/**
 * Everything the comment page shows, for one comment the caller may see: another school's comment
 * answers NOT_FOUND. Read-only; the actions it offers are each authorised again by their verb.
 */
export async function getCommentDetail(ctx: ServiceContext, commentId: string): Promise<CommentDetail> {
  if (ctx.tx) return readCommentDetail(ctx, ctx.tx, commentId);
  // One snapshot: the comment, its actions and its history read apart could straddle the commit
  // that closes it, and show a hidden comment as still open beside the entry that closed it.
  return ctx.db.transaction((tx) => readCommentDetail({ ...ctx, tx }, tx, commentId), {
    isolationLevel: 'repeatable read',
    accessMode: 'read only',
  });
}

async function readCommentDetail(
  ctx: ServiceContext,
  db: Queryable,
  commentId: string,
): Promise<CommentDetail> {
  const { comment, account } = await loadCommentWithAccount(ctx, db, commentId);
  const summary = (c: typeof comments.$inferSelect): CommentSummary => ({
    id: c.id,
    authorHandle: c.redactedAt ? '' : c.authorHandle,
    authorName: c.redactedAt ? '' : c.authorName,
    text: c.redactedAt ? '' : c.text,
    postedAt: c.postedAt,
    status: c.status,
    redacted: c.redactedAt !== null,
    current: c.id === comment.id,
  });

  // The thread: the same conversation on this account, and the comment it answers.
  const threadWhere = [
    comment.conversationId ? eq(comments.conversationId, comment.conversationId) : undefined,
    comment.inReplyToExternalId ? eq(comments.externalId, comment.inReplyToExternalId) : undefined,
    comment.conversationId ? eq(comments.externalId, comment.conversationId) : undefined,
    eq(comments.inReplyToExternalId, comment.externalId),
  ].filter((w) => w !== undefined);
  const proposer = aliasedTable(users, 'proposer');
  const confirmer = aliasedTable(users, 'confirmer');
  const raiser = aliasedTable(users, 'raiser');

  // One after another: a transaction's client runs one query at a time (pg warns on overlap).
  const thread = await db
    .select()
    .from(comments)
    .where(and(eq(comments.accountId, account.id), or(eq(comments.id, comment.id), ...threadWhere)))
    .orderBy(asc(comments.postedAt), asc(comments.id))
    .limit(THREAD_LIMIT);
  const earlier = comment.redactedAt
    ? []
    : await db
        .select()
        .from(comments)
        .where(
          and(
            eq(comments.schoolId, comment.schoolId),
            eq(comments.authorExternalId, comment.authorExternalId),
            eq(comments.platform, comment.platform),
            ne(comments.id, comment.id),
            lt(comments.postedAt, comment.postedAt),
          ),
        )
        .orderBy(desc(comments.postedAt))
        .limit(AUTHOR_HISTORY_LIMIT);
  const responseRows = await db
    .select({ response: responses, actorName: users.displayName })
    .from(responses)
    .innerJoin(users, eq(users.id, responses.actorId))
    .where(eq(responses.commentId, comment.id))
    .orderBy(asc(responses.createdAt));
  const actionRows = await db
    .select({
      action: moderationActions,
      proposerName: proposer.displayName,
      confirmerName: confirmer.displayName,
    })
    .from(moderationActions)
    .leftJoin(proposer, eq(proposer.id, moderationActions.proposedBy))
    .leftJoin(confirmer, eq(confirmer.id, moderationActions.confirmedBy))
    .where(eq(moderationActions.commentId, comment.id))
    .orderBy(asc(moderationActions.createdAt));
  const escalationRows = await db
    .select({ e: escalations, raisedByName: raiser.displayName })
    .from(escalations)
    .leftJoin(raiser, eq(raiser.id, escalations.raisedBy))
    .where(eq(escalations.commentId, comment.id))
    .orderBy(asc(escalations.createdAt));
  const assignee = comment.assigneeId
    ? await db
        .select({ id: users.id, name: users.displayName })
        .from(users)
        .where(eq(users.id, comment.assigneeId))
    : [];
  const available = await availableActions(ctx, { commentId: comment.id });

  const subjectIds = [
    comment.id,
    ...responseRows.map((r) => r.response.id),
    ...actionRows.map((r) => r.action.id),
    ...escalationRows.map((r) => r.e.id),
  ];
  const history = await db
    .select({
      seq: auditEntries.seq,
      at: auditEntries.at,
      actor: auditEntries.actorLabel,
      actorType: auditEntries.actorType,
      action: auditEntries.action,
      subject: auditEntries.subjectLabel,
      subjectType: auditEntries.subjectType,
      subjectId: auditEntries.subjectId,
    })
    .from(auditEntries)
    .where(inArray(auditEntries.subjectId, subjectIds))
    .orderBy(asc(auditEntries.seq))
    .limit(HISTORY_LIMIT);
  const assignable = await assignableUsers(db, { schoolId: comment.schoolId, accountId: account.id });

  const admin = isAccountAdmin(ctx, account.id);
  const responder = admin || holdsRole(ctx, comment.schoolId, ['comms', 'senior_leader']);
  const redacted = comment.redactedAt !== null;
  return {
    comment: {
      id: comment.id,
      schoolId: comment.schoolId,
      accountId: account.id,
      accountHandle: account.handle,
      platform: account.platform,
      authorHandle: redacted ? '' : comment.authorHandle,
      authorName: redacted ? '' : comment.authorName,
      text: redacted ? '' : comment.text,
      textTruncated: comment.textTruncated,
      url: comment.url,
      postedAt: comment.postedAt,
      status: comment.status,
      labels: redacted ? [] : comment.labels,
      externalTiers: comment.externalTiers,
      deadlineAt: comment.deadlineAt,
      deadlineClockStartedAt:
        comment.deadlineClockStartedAt ?? (comment.deadlineAt ? comment.postedAt : null),
      warnAt: comment.warnAt,
      breachedAt: comment.breachedAt,
      firstResponseAt: comment.firstResponseAt,
      resolvedAt: comment.resolvedAt,
      answeredAt: comment.answeredAt,
      followUpDueAt: comment.followUpDueAt,
      assignee: assignee[0] ?? null,
      redacted,
      heldByPlatform: comment.heldByPlatformAt !== null,
    },
    thread: thread.map(summary),
    authorHistory: earlier.map(summary),
    responses: responseRows.map(({ response: r, actorName }) => ({
      id: r.id,
      kind: r.kind,
      status: r.status,
      removedAt: r.removedAt,
      removedReason: r.removedReason,
      text: r.text,
      channel: r.channel,
      note: r.note,
      contactPerson: r.contactPerson,
      holding: r.holding,
      actorName,
      createdAt: r.createdAt,
      completedAt: r.completedAt,
      error: r.error,
    })),
    actions: actionRows.map(({ action: a, proposerName, confirmerName }) => ({
      id: a.id,
      kind: a.kind,
      mode: a.mode,
      status: a.status,
      reasonCategory: a.reasonCategory,
      reasonText: a.reasonText,
      proposedBy: a.proposedBy ? { id: a.proposedBy, name: proposerName ?? 'Unknown' } : null,
      confirmedBy: a.confirmedBy ? { id: a.confirmedBy, name: confirmerName ?? 'Unknown' } : null,
      expiresAt: a.expiresAt,
      createdAt: a.createdAt,
      completedAt: a.completedAt,
      error: a.error,
      outcome: describeOutcome(a, account),
    })),
    escalations: escalationRows.map(({ e, raisedByName }) => ({
      id: e.id,
      kind: e.kind,
      status: e.status,
      reason: e.reason,
      createdAt: e.createdAt,
      raisedByName: e.raisedBy ? (raisedByName ?? 'Unknown') : null,
    })),
    history,
    available: {
      actions: available.actions,
      noticeTemplates: available.noticeTemplates,
      notices: available.notices,
      escalationKinds: [...escalateCommentInput.shape.kind.options],
      concernKinds: [...CONCERN_KINDS],
    },
    replyTemplates: (await listSavedReplies(ctx, comment.schoolId)).map((t) => ({
      id: t.id,
      title: t.title,
      text: t.body,
    })),
    assignable,
    can: {
      respond: responder,
      close: holdsRole(ctx, comment.schoolId, ['comms', 'senior_leader']),
      moderate: admin,
      escalate: admin || holdsRole(ctx, comment.schoolId, ['senior_leader']),
      assign: responder,
      raiseConcern: holdsRole(ctx, comment.schoolId, [...CONCERN_STAFF_ROLES]),
      correct: ctx.actor.type === 'user' && holdsRole(ctx, comment.schoolId, CORRECTORS),
      overrideCheck: holdsRole(ctx, comment.schoolId, ['senior_leader']),
    },
    viewerId: ctx.actor.type === 'user' ? ctx.actor.id : null,
  };
}
