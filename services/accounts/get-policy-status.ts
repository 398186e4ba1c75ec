import { and, eq } from 'drizzle-orm';
import { z } from 'zod';
import { policyAcknowledgements, schools } from '../../db/schema/index.js';
import { assertInScope, requireUserId } from '../core/authorization.js';
import type { ServiceContext } from '../core/service-context.js';
import { notFound } from '../core/service-error.js';
import { holdsRole } from './account-access.js';
import { policyAudience } from './set-policy-version.js';

export const getPolicyStatusInput = z.object({ schoolId: z.uuid() });

export interface PolicyStatus {
  schoolId: string;
  versionLabel: string | null;
  documentUrl: string | null;
  versionAt: string | null;
  acknowledgedByMe: boolean;
  /** Senior leaders and trust admins see who has not yet acknowledged the current version. */
  outstanding?: { userId: string; displayName: string }[];
}

export async function getPolicyStatus(
  ctx: ServiceContext,
  raw: z.input<typeof getPolicyStatusInput>,
): Promise<PolicyStatus> {
  const input = getPolicyStatusInput.parse(raw);
  assertInScope(ctx, input.schoolId, 'That school');
  const userId = requireUserId(ctx);
  const db = ctx.tx ?? ctx.db;
  const [school] = await db.select().from(schools).where(eq(schools.id, input.schoolId));
  if (!school) throw notFound('That school');
  const label = school.policyVersionLabel;
  const acked = label
    ? await db
        .select({ userId: policyAcknowledgements.userId })
        .from(policyAcknowledgements)
        .where(
          and(eq(policyAcknowledgements.schoolId, school.id), eq(policyAcknowledgements.versionLabel, label)),
        )
    : [];
  const ackedIds = new Set(acked.map((a) => a.userId));
  const status: PolicyStatus = {
    schoolId: school.id,
    versionLabel: label,
    documentUrl: school.policyDocumentUrl,
    versionAt: school.policyVersionAt?.toISOString() ?? null,
    acknowledgedByMe: ackedIds.has(userId),
  };
  if (holdsRole(ctx, school.id, ['senior_leader', 'trust_admin'])) {
    status.outstanding = (await policyAudience(db, school.id)).filter((u) => !ackedIds.has(u.userId));
  }
  return status;
}
