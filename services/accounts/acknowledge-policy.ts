import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { policyAcknowledgements, schools } from '../../db/schema/index.js';
import { emitAudit } from '../audit/emit-audit.js';
import { assertInScope, requireUserId } from '../core/authorization.js';
import type { ServiceContext } from '../core/service-context.js';
import { conflict, notFound, preconditionFailed } from '../core/service-error.js';
import { withTransaction } from '../core/with-transaction.js';

export const acknowledgePolicyInput = z.object({
  schoolId: z.uuid(),
  /** The version the person read: acknowledging an older one than the current is refused. */
  versionLabel: z.string().trim().min(1).max(100),
});
export type AcknowledgePolicyInput = z.input<typeof acknowledgePolicyInput>;

/** P5: the signed-in person acknowledges the school's current social media policy. */
export async function acknowledgePolicy(
  ctx: ServiceContext,
  raw: AcknowledgePolicyInput,
): Promise<{ versionLabel: string; alreadyAcknowledged: boolean }> {
  const input = acknowledgePolicyInput.parse(raw);
  assertInScope(ctx, input.schoolId, 'That school');
  const userId = requireUserId(ctx);
  return withTransaction(ctx, async (tx) => {
    const [school] = await tx.select().from(schools).where(eq(schools.id, input.schoolId));
    if (!school) throw notFound('That school');
    if (!school.policyVersionLabel)
      throw preconditionFailed('The school has not recorded its policy version yet');
    if (school.policyVersionLabel !== input.versionLabel) {
      throw conflict(
        `The current policy is version "${school.policyVersionLabel}"; read it and acknowledge that version`,
        { currentVersionLabel: school.policyVersionLabel },
      );
    }
    const [inserted] = await tx
      .insert(policyAcknowledgements)
      .values({ schoolId: school.id, userId, versionLabel: input.versionLabel })
      .onConflictDoNothing()
      .returning();
    if (inserted) {
      await emitAudit(tx, ctx, {
        action: 'policy.acknowledged',
        schoolId: school.id,
        subject: { type: 'user', id: userId, label: ctx.actor.label },
        details: { versionLabel: input.versionLabel, documentUrl: school.policyDocumentUrl },
      });
    }
    return { versionLabel: input.versionLabel, alreadyAcknowledged: !inserted };
  });
}
