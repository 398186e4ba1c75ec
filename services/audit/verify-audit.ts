import { and, asc, eq, gt, lte } from 'drizzle-orm';
import type { Queryable } from '../../db/client.js';
import { auditEntries, auditHead, auditPersonalData } from '../../db/schema/index.js';
import { GENESIS_HASH, hashEntry, hashPersonalData } from './audit-hash.js';

export type VerifyResult =
  | { intact: true; from: number; to: number; count: number; headHash: string }
  | { intact: false; seq: number; reason: string; checked: number };

export interface VerifyOptions {
  from?: number;
  to?: number;
  batchSize?: number;
  onProgress?: (checked: number, lastSeq: number) => void;
}

/**
 * Recomputes the chain from `from` to `to` (the whole log by default) and reports intact, or the
 * first entry that is missing, out of place or altered. Reads in keyset batches, never the table.
 */
export async function verifyAudit(db: Queryable, options: VerifyOptions = {}): Promise<VerifyResult> {
  const batchSize = options.batchSize ?? 5_000;
  const from = Math.max(1, options.from ?? 1);
  const [head] = await db.select().from(auditHead).where(eq(auditHead.id, 1));
  const to = options.to ?? head?.seq ?? 0;

  let prevHash = GENESIS_HASH;
  if (from > 1) {
    const [before] = await db
      .select({ hash: auditEntries.hash })
      .from(auditEntries)
      .where(eq(auditEntries.seq, from - 1));
    if (!before) return { intact: false, seq: from - 1, reason: 'entry is missing', checked: 0 };
    prevHash = before.hash;
  }

  let expected = from;
  let checked = 0;
  while (expected <= to) {
    const rows = await db
      .select({
        entry: auditEntries,
        content: auditPersonalData.content,
        redactedAt: auditPersonalData.redactedAt,
        personalSeq: auditPersonalData.seq,
      })
      .from(auditEntries)
      .leftJoin(auditPersonalData, eq(auditPersonalData.seq, auditEntries.seq))
      .where(and(gt(auditEntries.seq, expected - 1), lte(auditEntries.seq, to)))
      .orderBy(asc(auditEntries.seq))
      .limit(batchSize);
    if (rows.length === 0) break;
    for (const { entry, content, redactedAt, personalSeq } of rows) {
      if (entry.seq !== expected) {
        return { intact: false, seq: expected, reason: 'entry is missing', checked };
      }
      if (entry.prevHash !== prevHash) {
        return {
          intact: false,
          seq: entry.seq,
          reason: 'previous-hash link is broken (an entry before it was removed, reordered or rewritten)',
          checked,
        };
      }
      if (hashEntry(entry) !== entry.hash) {
        return { intact: false, seq: entry.seq, reason: 'entry content does not match its hash', checked };
      }
      if (entry.personalDataHash) {
        if (personalSeq === null) {
          return { intact: false, seq: entry.seq, reason: 'personal data record is missing', checked };
        }
        if (!redactedAt && (!content || hashPersonalData(content) !== entry.personalDataHash)) {
          return { intact: false, seq: entry.seq, reason: 'personal data does not match its hash', checked };
        }
      }
      prevHash = entry.hash;
      expected += 1;
      checked += 1;
    }
    options.onProgress?.(checked, expected - 1);
  }
  if (expected <= to) return { intact: false, seq: expected, reason: 'entry is missing', checked };
  if (head && to === head.seq && checked > 0 && head.hash !== prevHash) {
    return { intact: false, seq: to, reason: 'chain head does not match the last entry', checked };
  }
  return { intact: true, from, to, count: checked, headHash: prevHash };
}
