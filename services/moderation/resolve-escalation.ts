import { and, eq, inArray } from 'drizzle-orm';
import { z } from 'zod';
import { escalations } from '../../db/schema/index.js';
import { emitAudit } from '../audit/emit-audit.js';
import { assertInScope, assertRole, requireUserId } from '../core/authorization.js';
import type { ServiceContext } from '../core/service-context.js';
import { conflict, notFound, preconditionFailed } from '../core/service-error.js';
import { withTransaction } from '../core/with-transaction.js';

export const resolveEscalationInput = z
  .object({
    escalationId: z.uuid(),
    /** acknowledge: "I have it"; close: dealt with. Nothing closes a safeguarding escalation but this. */
    outcome: z.enum(['acknowledge', 'close'], { error: 'choose acknowledge or close' }),
    /** Optional when acknowledging; an escalation is closed only with a note of what was done. */
    note: z.string().trim().max(4_000, 'keep the note under 4,000 characters').optional(),
    /** P7: closing a possibly illegal case without a police referral; the note says why. */
    notReferred: z.boolean().optional(),
  })
  .refine((r) => r.outcome !== 'close' || !!r.note, {
    message: 'write a note saying what was done',
    path: ['note'],
  });
export type ResolveEscalationInput = z.input<typeof resolveEscalationInput>;

/**
 * A safeguarding lead acknowledges or closes a safeguarding escalation, with a note kept in the
 * audit log (P8, P11). Other kinds (senior leader, media, referrals) are closed by senior leaders.
 */
export async function resolveEscalation(
  ctx: ServiceContext,
  raw: ResolveEscalationInput,
): Promise<{ escalation: { id: string; status: string } }> {
  const input = resolveEscalationInput.parse(raw);
  const userId = requireUserId(ctx);
  return withTransaction(ctx, async (tx) => {
    const [current] = await tx
      .select()
      .from(escalations)
      .where(eq(escalations.id, input.escalationId))
      .for('update');
    if (!current) throw notFound('That escalation');
    assertInScope(ctx, current.schoolId, 'That escalation');
    if (current.kind === 'safeguarding') {
      assertRole(
        ctx,
        current.schoolId,
        ['safeguarding_lead'],
        'acknowledge or close a safeguarding escalation',
      );
    } else {
      assertRole(ctx, current.schoolId, ['senior_leader'], 'acknowledge or close an escalation');
    }
    const acknowledge = input.outcome === 'acknowledge';
    if (!acknowledge && current.policeReferral === 'due' && !input.notReferred) {
      throw preconditionFailed(
        'This may be illegal (P7): record the police referral with its reference on the comment page first, or close it as not referred to the police, saying why in the note',
      );
    }
    if (!acknowledge && input.notReferred && current.policeReferral === 'referred') {
      throw conflict(
        'This comment was referred to the police while you were closing it: close it without "not referred", noting the referral',
        { policeReferral: 'referred' },
      );
    }
    const from = acknowledge ? (['open'] as const) : (['open', 'acknowledged'] as const);
    const now = new Date();
    const [updated] = await tx
      .update(escalations)
      .set(
        acknowledge
          ? { status: 'acknowledged', acknowledgedBy: userId, acknowledgedAt: now }
          : {
              status: 'closed',
              closedAt: now,
              closedBy: userId,
              closingNote: input.note ?? null,
              ...(current.policeReferral === 'due' ? { policeReferral: 'not_referred' as const } : {}),
              acknowledgedBy: current.acknowledgedBy ?? userId,
              acknowledgedAt: current.acknowledgedAt ?? now,
            },
      )
      .where(
        and(
          eq(escalations.id, current.id),
          inArray(escalations.status, [...from]),
          // Closing "not referred" holds only while the police step is still due (see escalate-comment).
          ...(current.policeReferral === 'due' && !acknowledge
            ? [eq(escalations.policeReferral, 'due')]
            : []),
        ),
      )
      .returning();
    if (!updated) {
      throw conflict(`This escalation is already ${current.status}`, { status: current.status });
    }
    await emitAudit(tx, ctx, {
      action: acknowledge ? 'escalation.acknowledged' : 'escalation.closed',
      schoolId: current.schoolId,
      subject: {
        type: 'escalation',
        id: current.id,
        label: `${current.kind.replace('_', ' ')} escalation`,
      },
      details: {
        kind: current.kind,
        from: current.status,
        to: updated.status,
        note: input.note ?? null,
        commentId: current.commentId,
        ...(current.policeReferral === 'due' && !acknowledge ? { policeReferral: 'not_referred' } : {}),
      },
    });
    return { escalation: { id: updated.id, status: updated.status } };
  });
}
