import { createHash } from 'node:crypto';
import { and, asc, eq, gt } from 'drizzle-orm';
import { auditEntries, auditHead } from '../../db/schema/index.js';
import type { ServiceContext } from '../core/service-context.js';
import { withTransaction } from '../core/with-transaction.js';
import { AUDIT_VERIFIERS, narrowToSchool, requireSchoolsWithRole } from './audit-access.js';
import { redactionNote } from './audit-entry-view.js';
import { type AuditFilter, auditConditions } from './audit-filter.js';
import { hashedFieldsOf } from './audit-hash.js';
import { auditSigner, signBytes } from './audit-signing.js';
import { emitAudit } from './emit-audit.js';
import {
  CSV_MANIFEST_PREFIX,
  csvHeader,
  type ExportedEntry,
  type ExportFormat,
  type ExportManifest,
  entryToCsv,
  manifestMessage,
} from './export-format.js';
import { type ChainEntry, readChainEntries, streamChain } from './read-chain.js';
import { loadCheckpoints } from './verify-audit.js';

export interface ExportInput {
  format: ExportFormat;
  filter: AuditFilter;
  signingKey?: string | undefined;
  batchSize?: number;
}

function exported(e: ChainEntry): ExportedEntry {
  return {
    ...hashedFieldsOf(e),
    hash: e.hash,
    personalData: !e.personal
      ? 'none'
      : e.personal.redactedAt || !e.personal.content
        ? redactionNote(e.personal.redactedAt ?? new Date(0), e.personal.reason)
        : 'held',
  };
}

const isRangeOnly = (f: AuditFilter) =>
  Object.entries(f).every(([k, v]) => v === undefined || k === 'fromSeq' || k === 'toSeq');

/**
 * Exports the entries matching a filter as CSV or JSON Lines, streamed in batches, followed by a
 * signed manifest (range, count, head hash, SHA-256 of the file, checkpoints) that
 * `npm run audit:verify-export` checks with no database. An unfiltered export of the whole log (or
 * a seq range) is the chain itself, checked link by link. The export is audited before it starts;
 * it covers the log up to the head at that moment.
 */
export async function exportAudit(ctx: ServiceContext, input: ExportInput): Promise<AsyncGenerator<string>> {
  const allowed = requireSchoolsWithRole(ctx, AUDIT_VERIFIERS, 'export the audit log');
  const schoolIds = narrowToSchool(allowed, input.filter.schoolId);
  const signer = auditSigner(input.signingKey);
  const db = ctx.db;
  const [head] = await db.select().from(auditHead).where(eq(auditHead.id, 1));
  const chainHead = { seq: head?.seq ?? 0, hash: head?.hash ?? '' };
  const fromSeq = Math.max(1, input.filter.fromSeq ?? 1);
  const toSeq = Math.min(input.filter.toSeq ?? chainHead.seq, chainHead.seq);
  const contiguous = schoolIds === null && isRangeOnly(input.filter);
  const filterRecord = Object.fromEntries(
    Object.entries(input.filter)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => [k, v instanceof Date ? v.toISOString() : v]),
  );
  await withTransaction(ctx, (tx) =>
    emitAudit(tx, ctx, {
      action: 'audit.exported',
      schoolId: input.filter.schoolId ?? null,
      subject: { type: 'audit', id: null, label: `Audit log export (${input.format})` },
      details: { format: input.format, filter: filterRecord, fromSeq, toSeq, schoolIds },
    }),
  );
  const batchSize = input.batchSize ?? 5_000;

  async function* batches(): AsyncGenerator<ChainEntry[]> {
    if (toSeq < fromSeq) return;
    if (contiguous) {
      yield* streamChain(db, fromSeq, toSeq, batchSize);
      return;
    }
    const where = auditConditions({ ...input.filter, fromSeq, toSeq }, schoolIds);
    let after = fromSeq - 1;
    for (;;) {
      const page = await db
        .select({ seq: auditEntries.seq })
        .from(auditEntries)
        .where(and(...where, gt(auditEntries.seq, after)))
        .orderBy(asc(auditEntries.seq))
        .limit(batchSize);
      if (page.length === 0) return;
      yield await readChainEntries(
        db,
        page.map((r) => r.seq),
      );
      after = page[page.length - 1]!.seq;
      if (page.length < batchSize) return;
    }
  }

  async function* lines(): AsyncGenerator<string> {
    const digest = createHash('sha256');
    const emit = (chunk: string) => {
      digest.update(chunk);
      return chunk;
    };
    let count = 0;
    let first: ChainEntry | null = null;
    let last: ChainEntry | null = null;
    if (input.format === 'csv') yield emit(csvHeader());
    for await (const rows of batches()) {
      let chunk = '';
      for (const row of rows) {
        const e = exported(row);
        chunk += input.format === 'csv' ? entryToCsv(e) : `${JSON.stringify(e)}\n`;
        first ??= row;
        last = row;
        count += 1;
      }
      if (chunk) yield emit(chunk);
    }
    const checkpoints = await loadCheckpoints(db, fromSeq, toSeq);
    const body: Omit<ExportManifest, 'signature'> = {
      type: 'hallmonitor-audit-export',
      version: 1,
      format: input.format,
      exportedAt: new Date().toISOString(),
      filter: filterRecord,
      contiguous,
      range: { fromSeq, toSeq },
      count,
      firstSeq: first?.seq ?? null,
      lastSeq: last?.seq ?? null,
      firstPrevHash: first?.prevHash ?? null,
      headHash: last?.hash ?? null,
      chainHead,
      sha256: digest.digest('hex'),
      checkpoints,
    };
    const manifest: ExportManifest = {
      ...body,
      signature: signer
        ? { publicKey: signer.publicKey, value: signBytes(signer, manifestMessage(body)) }
        : null,
    };
    yield input.format === 'csv'
      ? `${CSV_MANIFEST_PREFIX}${JSON.stringify(manifest)}\n`
      : `${JSON.stringify({ manifest })}\n`;
  }

  return lines();
}
