import { and, eq, inArray } from 'drizzle-orm';
import { z } from 'zod';
import { classifierCorrections, escalations } from '../../../db/schema/index.js';
import { accountLabel } from '../../accounts/account-label.js';
import { approverNames, mediaApprovers } from '../../accounts/conduct-settings.js';
import { escalationSubjectLabel } from '../../audit/audit-labels.js';
import { emitAudit } from '../../audit/emit-audit.js';
import { commentLabel } from '../../comments/comment-label.js';
import { requireUserId } from '../../core/authorization.js';
import type { ServiceContext } from '../../core/service-context.js';
import { conflict, invalidInputFrom } from '../../core/service-error.js';
import { withTransaction } from '../../core/with-transaction.js';
import { notifyUsers } from '../../notifications/notify-users.js';
import { SCHOOL_TERM_CATEGORIES } from '../add-school-term.js';
import type { Label } from '../types.js';
import { loadCommentToCorrect, saveLabels, words } from './correction-access.js';
import type { CorrectionResult } from './flag-comment.js';

export const clearFlagInput = z.object({
  category: z.enum(SCHOOL_TERM_CATEGORIES, {
    error: `choose the flag: ${SCHOOL_TERM_CATEGORIES.join(', ')}`,
  }),
  reason: z
    .string({ error: 'say why it is not a problem' })
    .trim()
    .min(1, 'say why it is not a problem')
    .max(2_000, 'a reason is at most 2,000 characters'),
});
export type ClearFlagInput = z.input<typeof clearFlagInput>;

export interface ClearFlagResult extends CorrectionResult {
  /** Open safeguarding escalations on the comment: they stay for the safeguarding lead to close. */
  openEscalations: number;
}

/**
 * "Not a problem": a member of staff overturns one of a comment's flags, with a reason. The
 * category's labels come off the comment at once (an offensive one leaves the Flags page), the
 * correction is audited and lands in the school's review list. A safeguarding escalation already
 * raised is not closed here: only the safeguarding lead closes it.
 */
export async function clearFlag(
  ctx: ServiceContext,
  commentId: string,
  raw: unknown,
): Promise<ClearFlagResult> {
  const parsed = clearFlagInput.safeParse(raw);
  if (!parsed.success) throw invalidInputFrom(parsed.error);
  const input = parsed.data;
  const userId = requireUserId(ctx);
  return withTransaction(ctx, async (tx, txCtx) => {
    const { comment, account } = await loadCommentToCorrect(txCtx, tx, commentId);
    const before = comment.labels as Label[];
    const removed = before.filter((l) => l.category === input.category);
    if (removed.length === 0) {
      throw conflict(`That comment has no ${words(input.category)} flag to clear`);
    }
    const labels = before.filter((l) => l.category !== input.category);
    await saveLabels(tx, comment.id, labels);
    const [row] = await tx
      .insert(classifierCorrections)
      .values({
        schoolId: comment.schoolId,
        commentId: comment.id,
        kind: 'overturned',
        category: input.category,
        subcategory: removed[0]!.subcategory,
        note: input.reason,
        labelsBefore: before,
        classifierVersion: comment.classifierVersion,
        correctedBy: userId,
      })
      .returning({ id: classifierCorrections.id });
    const correctionId = row!.id;
    const open =
      input.category === 'safeguarding'
        ? await tx
            .select({ id: escalations.id })
            .from(escalations)
            .where(
              and(
                eq(escalations.commentId, comment.id),
                eq(escalations.kind, 'safeguarding'),
                eq(escalations.status, 'open'),
              ),
            )
        : [];
    // P6 unmarked: the media escalation it raised is closed with the reason; replies no longer
    // wait for the headteacher (one already pending stays for a senior leader to decide).
    const closedMedia =
      input.category === 'media_enquiry'
        ? await tx
            .update(escalations)
            .set({
              status: 'closed',
              closedAt: new Date(),
              closedBy: userId,
              closingNote: `Not a media enquiry: ${input.reason}`,
            })
            .where(
              and(
                eq(escalations.commentId, comment.id),
                eq(escalations.kind, 'media'),
                inArray(escalations.status, ['open', 'acknowledged']),
              ),
            )
            .returning({ id: escalations.id, status: escalations.status })
        : [];
    for (const e of closedMedia) {
      await emitAudit(tx, txCtx, {
        action: 'escalation.closed',
        schoolId: comment.schoolId,
        subject: {
          type: 'escalation',
          id: e.id,
          label: escalationSubjectLabel('media', accountLabel(account)),
        },
        details: { kind: 'media', to: 'closed', commentId: comment.id, why: 'not a media enquiry' },
        personal: { note: input.reason },
      });
    }
    if (input.category === 'media_enquiry') {
      // P6: unmarking lifts the headteacher's approval from its replies; someone else doing so tells them.
      const approvers = await mediaApprovers(tx, comment.schoolId);
      if (!approvers.ids.includes(userId)) {
        await notifyUsers(tx, {
          schoolId: comment.schoolId,
          userIds: approvers.ids,
          event: 'escalation.media',
          urgency: 'normal',
          title: `${commentLabel(comment, account)} is not a media enquiry, says ${ctx.actor.label}`,
          // Not the reason itself: staff words about a member of the public stay off email.
          body: `${ctx.actor.label} unmarked it as a media enquiry, so its replies no longer wait for ${approverNames(approvers)}. Their reason is in the comment's history.`,
          link: `/comments/${comment.id}`,
          subject: { type: 'comment', id: comment.id },
        });
      }
    }
    await emitAudit(tx, txCtx, {
      action: 'comment.corrected',
      schoolId: comment.schoolId,
      subject: { type: 'comment', id: comment.id, label: commentLabel(comment, account) },
      details: {
        correctionId,
        correction: 'overturned',
        category: input.category,
        cleared: removed.map((l) => ({ subcategory: l.subcategory, severity: l.severity, source: l.source })),
        categoriesBefore: [...new Set(before.map((l) => l.category))],
        categoriesAfter: [...new Set(labels.map((l) => l.category))],
        classifierVersion: comment.classifierVersion,
      },
      // Staff words about a member of the public: beside the chain, erased with the comment.
      personal: { reason: input.reason },
    });
    return {
      correctionId,
      kind: 'overturned' as const,
      category: input.category,
      categories: [...new Set(labels.map((l) => l.category))],
      routes: [],
      openEscalations: open.length,
    };
  });
}
