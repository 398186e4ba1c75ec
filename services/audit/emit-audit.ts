import { eq } from 'drizzle-orm';
import type { Transaction } from '../../db/client.js';
import { auditEntries, auditHead, auditPersonalData } from '../../db/schema/index.js';
import type { ServiceContext } from '../core/service-context.js';
import type { AuditAction } from './audit-actions.js';
import { hashEntry, hashPersonalData } from './audit-hash.js';
import { jsonSafe } from './canonical-json.js';

export interface AuditEntryInput {
  action: AuditAction;
  schoolId: string | null;
  subject: { type: string; id: string | null; label: string };
  /** Why, before and after: anything an auditor needs to read the entry on its own. */
  details?: Record<string, unknown>;
  /**
   * Personal data (an author's handle, a reply's text): stored beside the chain so retention can
   * erase it; the chain keeps only its hash.
   */
  personal?: Record<string, unknown>;
}

export interface WrittenAuditEntry {
  seq: number;
  hash: string;
}

/**
 * Appends entries in the caller's transaction: if the audit write fails, the change fails with it.
 * The head row is locked for the rest of the transaction, so concurrent writers queue rather than
 * fork the chain.
 */
export async function emitAudit(
  tx: Transaction,
  ctx: Pick<ServiceContext, 'actor' | 'requestId'>,
  entries: AuditEntryInput | AuditEntryInput[],
): Promise<WrittenAuditEntry[]> {
  const list = Array.isArray(entries) ? entries : [entries];
  if (list.length === 0) return [];
  const [head] = await tx.select().from(auditHead).where(eq(auditHead.id, 1)).for('update');
  if (!head) throw new Error('audit_head is missing: run the migrations');

  let { seq, hash: prevHash } = head;
  const at = new Date();
  const rows: (typeof auditEntries.$inferInsert)[] = [];
  const personalRows: (typeof auditPersonalData.$inferInsert)[] = [];
  for (const entry of list) {
    seq += 1;
    const personal = entry.personal ? (jsonSafe(entry.personal) as Record<string, unknown>) : null;
    const fields = {
      seq,
      at,
      actorType: ctx.actor.type,
      actorId: ctx.actor.id,
      actorLabel: jsonSafe(ctx.actor.label) as string,
      schoolId: entry.schoolId,
      action: entry.action,
      subjectType: entry.subject.type,
      subjectId: entry.subject.id,
      subjectLabel: jsonSafe(entry.subject.label) as string,
      details: jsonSafe(entry.details ?? {}) as Record<string, unknown>,
      personalDataHash: personal ? hashPersonalData(personal) : null,
      requestId: ctx.requestId ?? null,
      prevHash,
    };
    const hash = hashEntry(fields);
    rows.push({ ...fields, hash });
    if (personal) personalRows.push({ seq, content: personal });
    prevHash = hash;
  }
  await tx.insert(auditEntries).values(rows);
  if (personalRows.length) await tx.insert(auditPersonalData).values(personalRows);
  await tx.update(auditHead).set({ seq, hash: prevHash }).where(eq(auditHead.id, 1));
  return rows.map((r) => ({ seq: r.seq, hash: r.hash }));
}
