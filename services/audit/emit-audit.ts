import { eq, getTableColumns, sql } from 'drizzle-orm';
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
  const buffer = buffers.get(tx);
  if (buffer) {
    // Appended with the rest of the batch by withBufferedAudit, in this order, before commit.
    for (const entry of list) buffer.push({ ctx, entry });
    return [];
  }
  return appendEntries(
    tx,
    list.map((entry) => ({ ctx, entry })),
  );
}

type PendingEntry = { ctx: Pick<ServiceContext, 'actor' | 'requestId'>; entry: AuditEntryInput };

const buffers = new WeakMap<Transaction, PendingEntry[]>();

/**
 * Runs `fn` with the audit entries it emits through `tx` held back, then appends them all to the
 * chain in one write (one head lock, one multi-row INSERT) before returning. For batch work (the
 * `process` job) where one entry per row would cost a round trip each. Entries keep their order;
 * `emitAudit` returns no seq/hash while buffering. If `fn` throws, nothing is written and the
 * transaction rolls back as usual.
 */
export async function withBufferedAudit<T>(tx: Transaction, fn: () => Promise<T>): Promise<T> {
  if (buffers.has(tx)) return fn();
  const pending: PendingEntry[] = [];
  buffers.set(tx, pending);
  let result: T;
  try {
    result = await fn();
  } finally {
    buffers.delete(tx);
  }
  await appendEntries(tx, pending);
  return result;
}

async function appendEntries(tx: Transaction, list: readonly PendingEntry[]): Promise<WrittenAuditEntry[]> {
  if (list.length === 0) return [];
  const [head] = await tx.select().from(auditHead).where(eq(auditHead.id, 1)).for('update');
  if (!head) throw new Error('audit_head is missing: run the migrations');

  let { seq, hash: prevHash } = head;
  const at = new Date();
  const rows: (typeof auditEntries.$inferInsert)[] = [];
  const personalRows: (typeof auditPersonalData.$inferInsert)[] = [];
  for (const { ctx, entry } of list) {
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
  // Chunks keep each INSERT well under Postgres's 65,535 bind parameters.
  // One JSON parameter read back as `audit_entries` records: building a multi-row INSERT with a
  // bind parameter per value cost more client CPU than the write itself for a batch's entries.
  if (rows.length === 1) await tx.insert(auditEntries).values(rows);
  else
    for (let i = 0; i < rows.length; i += 1_000)
      await tx.execute(
        sql`insert into audit_entries (${ENTRY_COLUMN_LIST})
            select ${ENTRY_COLUMN_LIST} from jsonb_populate_recordset(null::audit_entries, ${JSON.stringify(
              rows.slice(i, i + 1_000).map(toEntryRecord),
            )}::jsonb)`,
      );
  for (let i = 0; i < personalRows.length; i += 1_000)
    await tx.insert(auditPersonalData).values(personalRows.slice(i, i + 1_000));
  await tx.update(auditHead).set({ seq, hash: prevHash }).where(eq(auditHead.id, 1));
  return rows.map((r) => ({ seq: r.seq, hash: r.hash }));
}

const ENTRY_COLUMNS = Object.entries(getTableColumns(auditEntries));
const ENTRY_COLUMN_LIST = sql.join(
  ENTRY_COLUMNS.map(([, column]) => sql.identifier(column.name)),
  sql`, `,
);

/** An entry as a JSON record keyed by column name. */
function toEntryRecord(row: typeof auditEntries.$inferInsert): Record<string, unknown> {
  const record: Record<string, unknown> = {};
  for (const [key, column] of ENTRY_COLUMNS) {
    const value = row[key as keyof typeof row];
    // Dates as ISO strings; strings as the driver would store them (jsonb refuses NUL, lone surrogates).
    record[column.name] = jsonSafe(value ?? null);
  }
  return record;
}
