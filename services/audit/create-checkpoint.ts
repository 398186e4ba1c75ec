import { desc, eq, sql } from 'drizzle-orm';
import { auditCheckpoints, auditHead } from '../../db/schema/index.js';
import type { ServiceContext } from '../core/service-context.js';
import { ServiceError } from '../core/service-error.js';
import { withTransaction } from '../core/with-transaction.js';
import { AUDIT_VERIFIERS, requireSchoolsWithRole } from './audit-access.js';
import { auditSigner, type Checkpoint, signCheckpoint } from './audit-signing.js';
import { emitAudit } from './emit-audit.js';

export type CheckpointOutcome =
  | { status: 'signed'; checkpoint: Checkpoint; id: string }
  | { status: 'skipped'; reason: string };

export const NO_SIGNING_KEY =
  'AUDIT_SIGNING_KEY is not set and no key file is in use: audit checkpoints are not being signed (see docs/audit.md)';

export interface CheckpointOptions {
  /** Mailed to the outside witnesses (the daily and on-demand ones); default true. */
  forWitnesses?: boolean;
  /** Skip when nothing but checkpoint bookkeeping was logged since the last checkpoint (the interval job). */
  onlyIfNew?: boolean;
}

/**
 * Signs the chain head with the configured Ed25519 key and stores the checkpoint, in one
 * transaction holding the head lock, so the signed hash is exactly the entry at that sequence
 * number. The signing is itself audited, always as the entry right after the checkpoint (verify
 * relies on it: a log that ends at a checkpoint was cut). Every AUDIT_CHECKPOINT_MINUTES and daily
 * by the worker, or on demand by an auditor or trust admin.
 */
export async function createCheckpoint(
  ctx: ServiceContext,
  signingKey: string | undefined,
  options: CheckpointOptions = {},
): Promise<CheckpointOutcome> {
  requireSchoolsWithRole(ctx, AUDIT_VERIFIERS, 'sign an audit checkpoint');
  const signer = auditSigner(signingKey);
  if (!signer) {
    if (ctx.actor.type === 'system') return { status: 'skipped', reason: NO_SIGNING_KEY };
    throw new ServiceError('PRECONDITION_FAILED', NO_SIGNING_KEY);
  }
  return withTransaction(ctx, async (tx) => {
    const [head] = await tx.select().from(auditHead).where(eq(auditHead.id, 1)).for('update');
    if (!head) throw new Error('audit_head is missing: run the migrations');
    if (head.seq === 0) return { status: 'skipped' as const, reason: 'the audit log is empty' };
    const [previous] = await tx
      .select({ seq: auditCheckpoints.seq, signedAt: auditCheckpoints.signedAt })
      .from(auditCheckpoints)
      .orderBy(desc(auditCheckpoints.seq))
      .limit(1);
    if (options.onlyIfNew && previous) {
      const fresh = await tx.execute(sql`select 1 from audit_entries
        where seq > ${previous.seq} and action not like 'audit.checkpoint%' limit 1`);
      if (fresh.rows.length === 0)
        return { status: 'skipped' as const, reason: 'nothing new since the last checkpoint' };
    }
    const checkpoint = signCheckpoint(signer, { seq: head.seq, headHash: head.hash }, new Date());
    const [row] = await tx.insert(auditCheckpoints).values(checkpoint).returning({ id: auditCheckpoints.id });
    await emitAudit(tx, ctx, {
      action: 'audit.checkpoint_signed',
      schoolId: null,
      subject: { type: 'audit', id: String(head.seq), label: `Audit log up to entry ${head.seq}` },
      details: {
        seq: head.seq,
        headHash: head.hash,
        signedAt: checkpoint.signedAt,
        publicKey: checkpoint.publicKey,
        previousCheckpointSeq: previous?.seq ?? null,
        onDemand: ctx.actor.type === 'user',
        forWitnesses: options.forWitnesses ?? true,
      },
    });
    return { status: 'signed' as const, checkpoint, id: row!.id };
  });
}
