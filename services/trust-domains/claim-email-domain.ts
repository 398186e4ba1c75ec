import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { trustDomains } from '../../db/schema/index.js';
import { emitAudit } from '../audit/emit-audit.js';
import type { ServiceContext } from '../core/service-context.js';
import { conflict } from '../core/service-error.js';
import { withTransaction } from '../core/with-transaction.js';
import { type ClaimedDomain, describeClaim, trustOfTrustAdmin } from './claimed-domain.js';
import { claimOfAnotherTrust, emailDomain } from './email-domain.js';

export const claimEmailDomainInput = z.object({ domain: emailDomain });

/**
 * A trust admin claims an email domain for their trust. The claim is pending, and changes nothing,
 * until the trust proves it holds the domain (verify-email-domain.ts).
 */
export async function claimEmailDomain(
  ctx: ServiceContext,
  raw: z.input<typeof claimEmailDomainInput>,
): Promise<ClaimedDomain> {
  const { domain } = claimEmailDomainInput.parse(raw);
  return withTransaction(ctx, async (tx) => {
    const { trustId, subject, auditSchoolId } = await trustOfTrustAdmin(tx, ctx, 'claim email domains');
    if (await claimOfAnotherTrust(tx, trustId, domain))
      throw conflict(`The email domain ${domain} belongs to another organisation`);
    const [claim] = await tx
      .insert(trustDomains)
      .values({
        trustId,
        domain,
        token: randomBytes(24).toString('base64url'),
        claimedBy: ctx.actor.type === 'user' ? ctx.actor.id : null,
      })
      .onConflictDoNothing()
      .returning();
    if (!claim) throw conflict(`Your trust has already claimed ${domain}`);
    await emitAudit(tx, ctx, {
      action: 'trust.domain_claimed',
      schoolId: auditSchoolId,
      subject,
      details: { domain },
    });
    return describeClaim(claim);
  });
}
