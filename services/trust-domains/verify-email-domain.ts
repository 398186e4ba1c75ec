import { and, eq, isNull } from 'drizzle-orm';
import { z } from 'zod';
import { trustDomains } from '../../db/schema/index.js';
import { emitAudit } from '../audit/emit-audit.js';
import type { ServiceContext } from '../core/service-context.js';
import { conflict, notFound, preconditionFailed } from '../core/service-error.js';
import { withTransaction } from '../core/with-transaction.js';
import { type ClaimedDomain, describeClaim, trustOfTrustAdmin } from './claimed-domain.js';
import { claimOfAnotherTrust, emailDomain, proofRecord, type ResolveTxt } from './email-domain.js';

export const verifyEmailDomainInput = z.object({ domain: emailDomain });

/**
 * Proves the trust holds a domain it claimed: the claim's TXT record must be published. Once
 * verified, no other trust can invite or create an address at the domain or under it.
 */
export async function verifyEmailDomain(
  ctx: ServiceContext,
  raw: z.input<typeof verifyEmailDomainInput>,
  deps: { resolveTxt: ResolveTxt },
): Promise<ClaimedDomain> {
  const { domain } = verifyEmailDomainInput.parse(raw);
  const { trustId } = await trustOfTrustAdmin(ctx.db, ctx, 'verify email domains');
  const [claim] = await ctx.db
    .select()
    .from(trustDomains)
    .where(and(eq(trustDomains.trustId, trustId), eq(trustDomains.domain, domain)));
  if (!claim) throw notFound('A claim on that domain');
  if (claim.verifiedAt) return describeClaim(claim);

  const record = proofRecord(claim);
  let found: string[];
  try {
    // A TXT record may come split into several strings; they join into one value.
    found = (await deps.resolveTxt(record.name)).map((parts) => parts.join(''));
  } catch (error) {
    const code = (error as { code?: string }).code ?? 'no answer';
    found = [];
    if (code !== 'ENOTFOUND' && code !== 'ENODATA')
      throw preconditionFailed(`DNS did not answer for ${record.name} (${code}); try again later`);
  }
  if (!found.includes(record.value)) {
    throw preconditionFailed(
      `No TXT record ${record.name} with the value ${record.value} was found; publish it, then verify again`,
    );
  }

  return withTransaction(ctx, async (tx) => {
    const { subject, auditSchoolId } = await trustOfTrustAdmin(tx, ctx, 'verify email domains');
    if (await claimOfAnotherTrust(tx, trustId, domain))
      throw conflict(`The email domain ${domain} belongs to another organisation`);
    let verified: typeof claim | undefined;
    try {
      [verified] = await tx
        .update(trustDomains)
        .set({ verifiedAt: new Date() })
        .where(
          and(
            eq(trustDomains.trustId, trustId),
            eq(trustDomains.domain, domain),
            isNull(trustDomains.verifiedAt),
          ),
        )
        .returning();
    } catch (error) {
      // Another trust verified the same domain between our check and this update.
      if ((error as { code?: string }).code === '23505')
        throw conflict(`The email domain ${domain} belongs to another organisation`);
      throw error;
    }
    if (!verified) throw conflict(`${domain} was verified by someone else at the same moment; reload`);
    await emitAudit(tx, ctx, {
      action: 'trust.domain_verified',
      schoolId: auditSchoolId,
      subject,
      details: { domain, record: record.name },
    });
    return describeClaim(verified);
  });
}
