import type { ServiceContext } from '../core/service-context.js';
import { AUDIT_VERIFIERS, requireSchoolsWithRole } from './audit-access.js';
import { auditSigner } from './audit-signing.js';
import { type VerifyResult, verifyAudit } from './verify-audit.js';

/**
 * The Verify button: recomputes the whole chain (or a range) and checks it against the signed
 * checkpoints, trusting only the configured key when there is one. Read-only; auditors and trust
 * admins. Also reports whether checkpoints are being signed at all.
 */
export async function verifyAuditLog(
  ctx: ServiceContext,
  input: { from?: number | undefined; to?: number | undefined },
  signingKey: string | undefined,
): Promise<VerifyResult & { signingConfigured: boolean }> {
  requireSchoolsWithRole(ctx, AUDIT_VERIFIERS, 'verify the audit log');
  const signer = auditSigner(signingKey);
  const result = await verifyAudit(ctx.db, {
    ...(input.from !== undefined ? { from: input.from } : {}),
    ...(input.to !== undefined ? { to: input.to } : {}),
    ...(signer ? { trustedKeys: [signer.publicKey] } : {}),
  });
  return { ...result, signingConfigured: !!signer };
}
