import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { schools } from '../../db/schema/index.js';
import { accountLabel } from '../accounts/account-label.js';
import { assertRole, requireUserId } from '../core/authorization.js';
import type { ServiceContext } from '../core/service-context.js';
import { withTransaction } from '../core/with-transaction.js';
import { loadCommentWithAccount } from './action-access.js';
import { routeMisuseReport, routeSafeguardingConcern } from './escalation-routes.js';

export const CONCERN_KINDS = ['safeguarding', 'misuse'] as const;
export type ConcernKind = (typeof CONCERN_KINDS)[number];

export const raiseConcernInput = z.object({
  commentId: z.uuid(),
  /** safeguarding: to the safeguarding leads (P8, P11); misuse: to a senior leader (P7). */
  kind: z.enum(CONCERN_KINDS, { error: 'choose safeguarding or misuse' }),
  note: z
    .string({ error: 'write a note saying what worries you' })
    .trim()
    .min(1, 'write a note saying what worries you')
    .max(4_000, 'keep the note under 4,000 characters'),
});
export type RaiseConcernInput = z.input<typeof raiseConcernInput>;

export interface RaiseConcernResult {
  escalation: { id: string; kind: 'safeguarding' | 'senior_leader'; status: 'open' };
  /** How many people were told at once; the page says so. */
  notified: number;
  /** Who was told: the safeguarding leads, or senior leaders where the school has no lead. */
  sentTo: 'safeguarding_leads' | 'senior_leaders';
}

/** Every member of a school's staff may raise a concern; an auditor only reads. */
export const CONCERN_STAFF_ROLES = ['comms', 'senior_leader', 'safeguarding_lead', 'trust_admin'] as const;

/**
 * Any member of staff raises a safeguarding concern about a comment the classifier missed, or
 * reports misuse to a senior leader ("safeguarding children is a key responsibility of all
 * members of staff", 002; misuse is reported by anyone, 001 §4.5, 003 §3.3). It travels the same
 * path as a classified concern: the same escalation row, audit entry and urgent notification.
 */
export async function raiseConcern(ctx: ServiceContext, raw: RaiseConcernInput): Promise<RaiseConcernResult> {
  const input = raiseConcernInput.parse(raw);
  const userId = requireUserId(ctx);
  return withTransaction(ctx, async (tx) => {
    const { comment, account } = await loadCommentWithAccount(ctx, tx, input.commentId);
    assertRole(ctx, comment.schoolId, CONCERN_STAFF_ROLES, 'raise a concern about a comment');
    const [school] = await tx
      .select({ name: schools.name })
      .from(schools)
      .where(eq(schools.id, comment.schoolId));
    const escalated = {
      schoolId: comment.schoolId,
      commentId: comment.id,
      onAccount: accountLabel(account),
      schoolName: school?.name ?? null,
    };
    if (input.kind === 'safeguarding') {
      const routed = await routeSafeguardingConcern(tx, ctx, escalated, {
        reason: input.note,
        summary: `Safeguarding concern raised by hand by ${ctx.actor.label}`,
        raisedBy: userId,
        details: { raisedByHand: true },
        // The note may name a child: beside the chain, where retention and erasure reach.
        personal: { note: input.note, authorHandle: comment.authorHandle },
        exclude: userId,
      });
      return {
        escalation: { id: routed.escalationId, kind: 'safeguarding', status: 'open' },
        notified: routed.notified.length,
        sentTo: routed.fallback ? 'senior_leaders' : 'safeguarding_leads',
      };
    }
    const routed = await routeMisuseReport(tx, ctx, escalated, {
      summary: `Misuse reported by ${ctx.actor.label}`,
      raisedBy: userId,
      note: input.note,
    });
    return {
      escalation: { id: routed.escalationId, kind: 'senior_leader', status: 'open' },
      notified: routed.notified.length,
      sentTo: 'senior_leaders',
    };
  });
}
