import { and, eq, isNotNull } from 'drizzle-orm';
import { z } from 'zod';
import { escalations } from '../../db/schema/index.js';
import { accountLabel } from '../accounts/account-label.js';
import { escalationSubjectLabel } from '../audit/audit-labels.js';
import { emitAudit } from '../audit/emit-audit.js';
import { requireUserId } from '../core/authorization.js';
import { hasRole } from '../core/principal.js';
import type { ServiceContext } from '../core/service-context.js';
import { conflict, forbidden } from '../core/service-error.js';
import { withTransaction } from '../core/with-transaction.js';
import { notifyUsers } from '../notifications/notify-users.js';
import { recipientChain } from '../notifications/recipient-chain.js';
import { loadCommentWithAccount } from './action-access.js';

export const escalateCommentInput = z.object({
  commentId: z.uuid(),
  /** senior_leader: unacceptable conduct reported internally; police / platform_report: an external referral recorded (P7) */
  kind: z.enum(['senior_leader', 'police', 'platform_report']),
  reason: z.string().trim().min(1, 'say why').max(4_000),
  /** the police incident number or the platform's report reference */
  externalReference: z.string().trim().min(1).max(200).optional(),
});
export type EscalateCommentInput = z.input<typeof escalateCommentInput>;

/** An account admin (or a senior leader) escalates a comment or records an external referral (P7). */
export async function escalateComment(
  ctx: ServiceContext,
  raw: EscalateCommentInput,
): Promise<{ escalation: { id: string; kind: string; status: string; externalReference: string | null } }> {
  const input = escalateCommentInput.parse(raw);
  const userId = requireUserId(ctx);
  const escalation = await withTransaction(ctx, async (tx) => {
    const { comment, account } = await loadCommentWithAccount(ctx, tx, input.commentId);
    const p = ctx.principal;
    if (!(p?.adminOfAccounts.has(account.id) || (p && hasRole(p, comment.schoolId, ['senior_leader'])))) {
      throw forbidden("Only the account's admins or a senior leader may escalate its comments");
    }
    if (input.kind === 'police') {
      // P7: a referral and a close "not referred to the police" exclude each other. The comment's
      // police steps are locked first, so one that a senior leader is closing as not referred is
      // read as it ends; a referral after that is refused rather than contradicting the record.
      const steps = await tx
        .select({ policeReferral: escalations.policeReferral })
        .from(escalations)
        .where(and(eq(escalations.commentId, comment.id), isNotNull(escalations.policeReferral)))
        .for('update');
      if (steps.some((e) => e.policeReferral === 'not_referred')) {
        throw conflict(
          "A senior leader closed this comment's escalation as not referred to the police, so a referral cannot be recorded on it: nothing was recorded. Raise it with a senior leader.",
          { policeReferral: 'not_referred' },
        );
      }
    }
    const [row] = await tx
      .insert(escalations)
      .values({
        schoolId: comment.schoolId,
        commentId: comment.id,
        kind: input.kind,
        reason: input.reason,
        externalReference: input.externalReference ?? null,
        raisedBy: userId,
      })
      .returning();
    const created = row!;
    const referral = input.kind !== 'senior_leader';
    // P7: a police referral with its reference settles the police step of the comment's conduct escalations.
    const settled =
      input.kind === 'police' && created.externalReference
        ? await tx
            .update(escalations)
            .set({ policeReferral: 'referred' })
            .where(and(eq(escalations.commentId, comment.id), eq(escalations.policeReferral, 'due')))
            .returning({ id: escalations.id })
        : [];
    await emitAudit(tx, ctx, {
      action: referral ? 'escalation.referred' : 'escalation.raised',
      schoolId: comment.schoolId,
      subject: {
        type: 'escalation',
        id: created.id,
        label: escalationSubjectLabel(input.kind, accountLabel(account)),
      },
      details: {
        kind: input.kind,
        reason: input.reason,
        externalReference: created.externalReference,
        commentId: comment.id,
        ...(settled.length ? { policeReferralFor: settled.map((e) => e.id) } : {}),
      },
    });
    await notifyUsers(tx, {
      schoolId: comment.schoolId,
      userIds: (await recipientChain(tx, comment.schoolId, ['senior_leader'], userId)).userIds,
      event: referral ? 'escalation.referred' : 'escalation.raised',
      urgency: 'urgent',
      title: referral
        ? `A comment was referred (${input.kind.replace('_', ' ')})`
        : 'A comment was escalated to senior leaders',
      body: `${ctx.actor.label}: ${input.reason}`,
      link: `/comments/${comment.id}`,
      subject: { type: 'escalation', id: created.id },
    });
    return created;
  });
  return {
    escalation: {
      id: escalation.id,
      kind: escalation.kind,
      status: escalation.status,
      externalReference: escalation.externalReference,
    },
  };
}
