import type { ChainEntry } from './read-chain.js';

/** One entry as an auditor reads it, on its own, years later. */
export interface AuditEntryView {
  seq: number;
  at: Date;
  actor: { type: 'user' | 'system'; id: string | null; name: string };
  action: string;
  schoolId: string | null;
  subject: { type: string; id: string | null; label: string };
  /** The reason, note or refusal recorded with the entry, if any. */
  reason: string | null;
  before: unknown;
  after: unknown;
  details: Record<string, unknown>;
  requestId: string | null;
  /**
   * Personal data kept beside the entry: held (with its content), redacted (with when and why),
   * or none.
   */
  personalData:
    | { state: 'none' }
    | { state: 'held'; content: Record<string, unknown> }
    | { state: 'redacted'; redactedAt: Date; note: string };
  prevHash: string;
  hash: string;
}

const REASON_KEYS = ['reason', 'reasonText', 'breakGlassReason', 'overrideReason', 'note'] as const;

export function reasonOf(details: Record<string, unknown>): string | null {
  for (const key of REASON_KEYS) {
    const value = details[key];
    if (typeof value === 'string' && value.trim()) return value;
  }
  return null;
}

/** "redacted on 2026-11-20 under the retention policy" / "… on an erasure request". */
export function redactionNote(redactedAt: Date, reason: string | null): string {
  const on = redactedAt.toISOString().slice(0, 10);
  if (reason?.startsWith('erasure')) return `redacted on ${on} on an erasure request`;
  return `redacted on ${on} under the retention policy`;
}

export function viewEntry(e: ChainEntry): AuditEntryView {
  const d = e.details;
  return {
    seq: e.seq,
    at: e.at,
    actor: { type: e.actorType, id: e.actorId, name: e.actorLabel },
    action: e.action,
    schoolId: e.schoolId,
    subject: { type: e.subjectType, id: e.subjectId, label: e.subjectLabel },
    reason: reasonOf(d),
    before: d.before ?? null,
    after: d.after ?? null,
    details: d,
    requestId: e.requestId,
    personalData: !e.personal
      ? { state: 'none' }
      : e.personal.redactedAt || !e.personal.content
        ? {
            state: 'redacted',
            redactedAt: e.personal.redactedAt ?? new Date(0),
            note: redactionNote(e.personal.redactedAt ?? new Date(0), e.personal.reason),
          }
        : { state: 'held', content: e.personal.content },
    prevHash: e.prevHash,
    hash: e.hash,
  };
}
