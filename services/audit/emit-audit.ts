import { sql } from 'drizzle-orm';
import type { Transaction } from '../../db/client.js';
import type { ServiceContext } from '../core/service-context.js';
import type { AuditAction } from './audit-actions.js';
import { entryTemplate, hashPersonalData } from './audit-hash.js';
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

/**
 * Writes entries in the caller's transaction: they join the chain when it commits, and if the
 * transaction rolls back, they vanish with the change. Entries of one transaction stay together
 * and in order; the chain's order is the order in which transactions commit.
 */
export async function emitAudit(
  tx: Transaction,
  ctx: Pick<ServiceContext, 'actor' | 'requestId'>,
  entries: AuditEntryInput | AuditEntryInput[],
): Promise<void> {
  const list = Array.isArray(entries) ? entries : [entries];
  if (list.length === 0) return;
  const buffer = buffers.get(tx);
  if (buffer) {
    // Added with the rest of the batch by withBufferedAudit, in this order.
    for (const entry of list) buffer.push({ ctx, entry });
    return;
  }
  await appendEntries(
    tx,
    list.map((entry) => ({ ctx, entry })),
  );
}

type PendingEntry = { ctx: Pick<ServiceContext, 'actor' | 'requestId'>; entry: AuditEntryInput };

const buffers = new WeakMap<Transaction, PendingEntry[]>();

/**
 * Runs `fn` with the audit entries it emits through `tx` held back, then writes them all in one
 * statement before returning. For batch work (the `process` job) where one write per entry would
 * cost a round trip each. Entries keep their order. If `fn` throws, nothing is written and the
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

/**
 * Adds entries to the chain when the transaction commits. Everything that does not depend on the
 * chain's head (each entry's canonical encoding as a template, personal data hashes) is prepared
 * here and written to audit_pending; a deferred trigger hands all of the transaction's pending
 * entries to audit_append at COMMIT, which reads each row's columns back from its encoding, locks
 * the head, fills in seq and prevHash, hashes and inserts (db/migrations/0010, 0011). Every writer queues on the head until it
 * commits, so the time it is held bounds how many transactions that write audit entries can
 * commit per second; taken at COMMIT, it is held for no round trip to Node (bench/ingest.ts).
 */
async function appendEntries(tx: Transaction, list: readonly PendingEntry[]): Promise<void> {
  if (list.length === 0) return;
  const at = new Date();
  const atIso = at.toISOString();
  const entries = list.map(({ ctx, entry }) => {
    const personal = entry.personal ? (jsonSafe(entry.personal) as Record<string, unknown>) : null;
    // Every text made storable before it is hashed, so the row read back hashes the same: jsonb
    // refuses NUL and lone surrogates, and a uuid column stores lowercase.
    const text = jsonSafe({
      actorId: ctx.actor.id ?? null,
      actorLabel: ctx.actor.label,
      schoolId: entry.schoolId?.toLowerCase() ?? null,
      action: entry.action,
      subjectType: entry.subject.type,
      subjectId: entry.subject.id ?? null,
      subjectLabel: entry.subject.label,
      details: entry.details ?? {},
      requestId: ctx.requestId ?? null,
    }) as {
      actorId: string | null;
      actorLabel: string;
      schoolId: string | null;
      action: AuditAction;
      subjectType: string;
      subjectId: string | null;
      subjectLabel: string;
      details: Record<string, unknown>;
      requestId: string | null;
    };
    const fields = {
      ...text,
      at,
      atIso,
      actorType: ctx.actor.type,
      personalDataHash: personal ? hashPersonalData(personal) : null,
    };
    const t = entryTemplate(fields);
    // The row's columns travel only inside the encoding: audit_append reads them back from it (0011).
    return { t: [t.beforePrevHash, t.beforeSeq, t.afterSeq], p: personal };
  });
  await tx.execute(sql`insert into audit_pending (entries) values (${JSON.stringify(entries)}::jsonb)`);
}
