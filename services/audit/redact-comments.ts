import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { Transaction } from '../../db/client.js';
import {
  classifierCorrections,
  comments,
  moderationActions,
  responses,
  socialAccounts,
} from '../../db/schema/index.js';
import { commentLabel } from '../comments/comment-label.js';
import type { ServiceContext } from '../core/service-context.js';
import { emitAudit } from './emit-audit.js';

export interface RedactedComment {
  id: string;
  schoolId: string;
}

/**
 * The one redaction path, for the retention policy and for erasure on request: removes a comment's
 * text and its author's identity (handle, name, platform id, link), the text and notes of its
 * responses, the author named as the target of moderation with the notice addressed to them and
 * the evidence link, and the personal data beside every audit entry about the comment, its
 * responses and its moderation actions. Safeguarding escalations are not touched: they follow the
 * school's safeguarding record-keeping, not the social media retention period. The entries keep their hashes, so the chain still
 * verifies, and a `comment.redacted` entry records each redaction. Runs in the caller's
 * transaction.
 */
export async function redactComments(
  tx: Transaction,
  ctx: Pick<ServiceContext, 'actor' | 'requestId'>,
  commentIds: readonly string[],
  why: { kind: 'retention' | 'erasure'; detail: string },
): Promise<{ comments: RedactedComment[]; personalRecords: number }> {
  if (commentIds.length === 0) return { comments: [], personalRecords: 0 };
  const now = new Date();
  const redacted = await tx
    .update(comments)
    .set({
      text: '',
      authorHandle: '',
      authorName: '',
      authorExternalId: '',
      url: null,
      redactedAt: now,
    })
    .where(and(inArray(comments.id, [...commentIds]), isNull(comments.redactedAt)))
    .returning({
      id: comments.id,
      schoolId: comments.schoolId,
      externalId: comments.externalId,
      accountId: comments.accountId,
    });
  if (redacted.length === 0) return { comments: [], personalRecords: 0 };
  const ids = redacted.map((c) => c.id);
  // What staff wrote to or about the person: a reply can name or quote them, an offline note can
  // hold a phone number, a notice is addressed to them, evidence is a capture of their post. The
  // rows stay (who responded, when, how: the deadline reports need them); their words go.
  // Words not yet posted are not posted at all: a reply awaiting approval, and a notice not yet
  // carried out, end here. A reply already 'sending' may be on its way to the platform this moment,
  // so it is left to its job: it posts what it read, or finds its text gone and fails (send-reply
  // never posts a blank), and either way records the truth.
  const withdrawn = `Not sent: the comment was redacted (${why.kind})`;
  const cancelledReplies = await tx
    .update(responses)
    .set({ status: 'rejected', error: withdrawn, completedAt: now })
    .where(and(inArray(responses.commentId, ids), eq(responses.status, 'pending_approval')))
    .returning({ id: responses.id, commentId: responses.commentId, schoolId: responses.schoolId });
  const cancelledNotices = await tx
    .update(moderationActions)
    .set({ status: 'failed', error: withdrawn, completedAt: now })
    .where(
      and(
        inArray(moderationActions.commentId, ids),
        eq(moderationActions.kind, 'notice'),
        inArray(moderationActions.status, ['proposed', 'approved', 'queued']),
      ),
    )
    .returning({
      id: moderationActions.id,
      commentId: moderationActions.commentId,
      schoolId: moderationActions.schoolId,
    });
  await emitAudit(tx, ctx, [
    ...cancelledReplies.map((r) => ({
      action: 'response.rejected' as const,
      schoolId: r.schoolId,
      subject: { type: 'response', id: r.id, label: 'Reply to a redacted comment' },
      details: { commentId: r.commentId, reason: withdrawn },
    })),
    ...cancelledNotices.map((a) => ({
      action: 'action.failed' as const,
      schoolId: a.schoolId,
      subject: { type: 'action', id: a.id, label: 'Notice on a redacted comment' },
      details: { commentId: a.commentId, error: withdrawn },
    })),
  ]);
  await tx
    .update(moderationActions)
    .set({
      targetAuthorExternalId: null,
      noticeText: null,
      evidenceUrl: null,
      platformResult: sql`${moderationActions.platformResult} - 'note'`,
    })
    .where(inArray(moderationActions.commentId, ids));
  // Staff corrections to the classifier keep what they said (for the quality report), not why.
  await tx
    .update(classifierCorrections)
    .set({ note: '' })
    .where(inArray(classifierCorrections.commentId, ids));
  const responseRows = await tx
    .update(responses)
    .set({ text: '', note: null, overrideReason: null, contactPerson: null })
    .where(inArray(responses.commentId, ids))
    .returning({ commentId: responses.commentId });
  const responsesPerComment = new Map<string, number>();
  for (const r of responseRows)
    responsesPerComment.set(r.commentId, (responsesPerComment.get(r.commentId) ?? 0) + 1);

  const idList = `{${ids.join(',')}}`;
  const reason =
    why.kind === 'retention' ? `retention policy: ${why.detail}` : `erasure request: ${why.detail}`;
  const personal = await tx.execute<{ seq: string; subject_id: string }>(sql`
    with about as (
      select e.seq, e.subject_id as comment_id from audit_entries e
        where e.subject_type = 'comment' and e.subject_id = any(${idList}::text[])
      union all
      select e.seq, r.comment_id::text from responses r
        join audit_entries e on e.subject_type = 'response' and e.subject_id = r.id::text
        where r.comment_id = any(${idList}::uuid[])
      union all
      select e.seq, a.comment_id::text from moderation_actions a
        join audit_entries e on e.subject_type = 'action' and e.subject_id = a.id::text
        where a.comment_id = any(${idList}::uuid[])
    )
    update audit_personal_data p
      set content = null, redacted_at = ${now.toISOString()}::timestamptz, redaction_reason = ${reason}
      from about
      where p.seq = about.seq and p.content is not null
      returning p.seq, about.comment_id as subject_id`);
  const perComment = new Map<string, number>();
  for (const r of personal.rows) perComment.set(r.subject_id, (perComment.get(r.subject_id) ?? 0) + 1);

  const accounts = await tx
    .select({ id: socialAccounts.id, handle: socialAccounts.handle, platform: socialAccounts.platform })
    .from(socialAccounts)
    .where(inArray(socialAccounts.id, [...new Set(redacted.map((c) => c.accountId))]));
  const accountById = new Map(accounts.map((a) => [a.id, a]));
  await emitAudit(
    tx,
    ctx,
    redacted.map((c) => {
      const account = accountById.get(c.accountId);
      return {
        action: 'comment.redacted' as const,
        schoolId: c.schoolId,
        subject: {
          type: 'comment',
          id: c.id,
          label: account ? commentLabel(c, account) : `Comment ${c.externalId}`,
        },
        details: {
          reason,
          kind: why.kind,
          removed: ['text', 'authorHandle', 'authorName', 'authorExternalId', 'url'],
          personalRecordsRedacted: perComment.get(c.id) ?? 0,
          // Reply text and offline notes; moderation notices and evidence links.
          responsesRedacted: responsesPerComment.get(c.id) ?? 0,
        },
      };
    }),
  );
  return {
    comments: redacted.map((c) => ({ id: c.id, schoolId: c.schoolId })),
    personalRecords: personal.rows.length,
  };
}

/** Comments of one school posted before `cutoff` and not yet redacted, oldest first. */
export async function commentsOlderThan(tx: Transaction, schoolId: string, cutoff: Date, limit: number) {
  const rows = await tx
    .select({ id: comments.id })
    .from(comments)
    .where(
      and(
        eq(comments.schoolId, schoolId),
        isNull(comments.redactedAt),
        sql`${comments.postedAt} < ${cutoff}`,
      ),
    )
    .orderBy(comments.postedAt)
    .limit(limit)
    .for('update', { skipLocked: true });
  return rows.map((r) => r.id);
}
