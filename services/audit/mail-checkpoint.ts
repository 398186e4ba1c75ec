import { escapeHtml } from '@kitajs/html';
import { and, eq, gte, sql } from 'drizzle-orm';
import { auditCheckpoints } from '../../db/schema/index.js';
import type { Queues } from '../../workers/queues.js';
import type { ServiceContext } from '../core/service-context.js';
import { withTransaction } from '../core/with-transaction.js';
import type { Mailer } from '../notifications/mailer.js';
import { toCheckpoint } from './audit-signing.js';
import type { CheckpointOutcome } from './create-checkpoint.js';
import { emitAudit } from './emit-audit.js';

export type MailCheckpointOutcome =
  | { status: 'mailed'; seq: number; recipients: number }
  | { status: 'gone' };

/**
 * Mails one signed checkpoint to the outside witnesses (AUDIT_WITNESS_EMAILS), so a copy of the
 * chain head lives where someone who controls the database cannot reach it. The message carries
 * the checkpoint as the JSON line `npm run audit:verify -- --checkpoints FILE` reads. A refused
 * send throws, and the job is retried; the mailing is audited once it has gone.
 */
export async function mailCheckpoint(
  ctx: ServiceContext,
  input: { checkpointId: string },
  deps: { mailer: Mailer; witnesses: readonly string[]; publicUrl: string },
): Promise<MailCheckpointOutcome> {
  const [row] = await ctx.db
    .select()
    .from(auditCheckpoints)
    .where(eq(auditCheckpoints.id, input.checkpointId));
  if (!row) return { status: 'gone' };
  const checkpoint = toCheckpoint(row);
  const line = JSON.stringify(checkpoint);
  const text = [
    `The audit log of ${deps.publicUrl} was signed up to entry ${checkpoint.seq} at ${checkpoint.signedAt}.`,
    '',
    'Keep this message. The line below is the signed checkpoint; with your kept lines in a file, one per',
    'line, anyone can check that the log has not been rewritten since:',
    '',
    '  npm run audit:verify -- --checkpoints witness.jsonl',
    '',
    line,
    '',
    `Signing key (public): ${checkpoint.publicKey}`,
  ].join('\n');
  const html = `<p>The audit log of ${escapeHtml(deps.publicUrl)} was signed up to entry ${checkpoint.seq} at ${escapeHtml(checkpoint.signedAt)}.</p><p>Keep this message. The line below is the signed checkpoint; with your kept lines in a file, one per line, anyone can check that the log has not been rewritten since: <code>npm run audit:verify -- --checkpoints witness.jsonl</code></p><pre>${escapeHtml(line)}</pre><p>Signing key (public): <code>${escapeHtml(checkpoint.publicKey)}</code></p>`;
  await deps.mailer.send({
    to: deps.witnesses.join(', '),
    subject: `Hallmonitor audit checkpoint: entry ${checkpoint.seq}`,
    text,
    html,
  });
  await withTransaction(ctx, (tx) =>
    emitAudit(tx, ctx, {
      action: 'audit.checkpoint_mailed',
      schoolId: null,
      subject: {
        type: 'audit',
        id: String(checkpoint.seq),
        label: `Audit log up to entry ${checkpoint.seq}`,
      },
      details: { seq: checkpoint.seq, headHash: checkpoint.headHash, recipients: deps.witnesses.length },
      personal: { to: [...deps.witnesses] },
    }),
  );
  return { status: 'mailed', seq: checkpoint.seq, recipients: deps.witnesses.length };
}

/** After a checkpoint is signed (daily or on demand): its mail to the witnesses, if there are any. */
export async function queueCheckpointMail(
  queues: Pick<Queues, 'add'>,
  witnesses: readonly string[] | undefined,
  outcome: CheckpointOutcome,
): Promise<void> {
  if (outcome.status === 'signed' && witnesses?.length)
    await queues.add('audit-witness', { checkpointId: outcome.id });
}

/** How far back the daily job looks for checkpoints whose mail never went (an SMTP outage). */
export const UNMAILED_LOOKBACK_DAYS = 7;

/**
 * Daily and on-demand checkpoints of the last week that no witness mail was audited for: their earlier jobs gave up
 * (an SMTP outage longer than the job's retries) or were never queued (Redis was down when an
 * auditor signed one). The daily checkpoint job queues them again.
 */
export async function unmailedCheckpoints(db: ServiceContext['db'], now = new Date()): Promise<string[]> {
  const since = new Date(now.getTime() - UNMAILED_LOOKBACK_DAYS * 86_400_000);
  const rows = await db
    .select({ id: auditCheckpoints.id })
    .from(auditCheckpoints)
    .where(
      and(
        gte(auditCheckpoints.createdAt, since),
        sql`not exists (select 1 from audit_entries e
                        where e.subject_type = 'audit' and e.subject_id = ${auditCheckpoints.seq}::text
                          and e.action = 'audit.checkpoint_mailed')`,
        // The interval checkpoints are not mailed: the next daily one covers them.
        sql`not exists (select 1 from audit_entries e
                        where e.subject_type = 'audit' and e.subject_id = ${auditCheckpoints.seq}::text
                          and e.action = 'audit.checkpoint_signed'
                          and e.details @> '{"forWitnesses": false}'::jsonb)`,
      ),
    );
  return rows.map((r) => r.id);
}
