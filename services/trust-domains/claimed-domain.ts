import { eq } from 'drizzle-orm';
import type { Queryable } from '../../db/client.js';
import { type TrustDomain, trusts } from '../../db/schema/index.js';
import { assertTrustAdminSomewhere, trustAdminSchoolIds } from '../auth/managed-user.js';
import type { ServiceContext } from '../core/service-context.js';
import { forbidden } from '../core/service-error.js';
import { proofRecord } from './email-domain.js';

export interface ClaimedDomain {
  domain: string;
  verified: boolean;
  verifiedAt: string | null;
  /** The TXT record to publish: its name and its exact value. */
  txtRecord: { name: string; value: string };
}

export const describeClaim = (claim: TrustDomain): ClaimedDomain => ({
  domain: claim.domain,
  verified: claim.verifiedAt !== null,
  verifiedAt: claim.verifiedAt?.toISOString() ?? null,
  txtRecord: proofRecord(claim),
});

/**
 * The caller's trust, for a verb only a trust admin may call; its label for the audit entry, and a
 * school of the caller's to file the entry under, so the school's auditors see it.
 */
export async function trustOfTrustAdmin(db: Queryable, ctx: ServiceContext, doing: string) {
  assertTrustAdminSomewhere(ctx, doing);
  const trustId = ctx.principal?.trustId;
  if (!trustId) throw forbidden(`Only trust admin staff may ${doing}`);
  const [trust] = await db
    .select({ id: trusts.id, name: trusts.name })
    .from(trusts)
    .where(eq(trusts.id, trustId));
  return {
    trustId,
    auditSchoolId: trustAdminSchoolIds(ctx)?.[0] ?? null,
    subject: { type: 'trust', id: trustId, label: trust?.name ?? 'trust' } as const,
  };
}
