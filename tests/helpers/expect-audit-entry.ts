import { and, asc, eq, gt, type SQL } from 'drizzle-orm';
import { expect } from 'vitest';
import type { Queryable } from '../../db/client.js';
import { type AuditEntryRow, auditEntries } from '../../db/schema/index.js';
import type { AuditAction } from '../../services/audit/audit-actions.js';

export interface AuditExpectation {
  action: AuditAction;
  subjectId?: string;
  actorId?: string | null;
  schoolId?: string;
  details?: Record<string, unknown>;
  /** Only entries after this sequence number. */
  afterSeq?: number;
}

/** Asserts one matching audit entry exists and returns it (the latest when several match). */
export async function expectAuditEntry(db: Queryable, expected: AuditExpectation): Promise<AuditEntryRow> {
  const where: SQL[] = [eq(auditEntries.action, expected.action)];
  if (expected.subjectId !== undefined) where.push(eq(auditEntries.subjectId, expected.subjectId));
  if (expected.actorId) where.push(eq(auditEntries.actorId, expected.actorId));
  if (expected.schoolId) where.push(eq(auditEntries.schoolId, expected.schoolId));
  if (expected.afterSeq !== undefined) where.push(gt(auditEntries.seq, expected.afterSeq));
  const rows = await db
    .select()
    .from(auditEntries)
    .where(and(...where))
    .orderBy(asc(auditEntries.seq));
  expect(
    rows.length,
    `an audit entry ${expected.action} for ${expected.subjectId ?? 'any subject'}`,
  ).toBeGreaterThan(0);
  const entry = rows[rows.length - 1]!;
  if (expected.details) expect(entry.details).toMatchObject(expected.details);
  return entry;
}

export async function auditActions(db: Queryable, subjectId: string): Promise<string[]> {
  const rows = await db
    .select({ action: auditEntries.action })
    .from(auditEntries)
    .where(eq(auditEntries.subjectId, subjectId))
    .orderBy(asc(auditEntries.seq));
  return rows.map((r) => r.action);
}
