import { hash } from 'node:crypto';
import { canonicalJson } from './canonical-json.js';

export const GENESIS_HASH = '0'.repeat(64);

/** The fields of an entry that its hash covers: all of them but the hash itself. */
export interface HashedAuditFields {
  seq: number;
  at: Date;
  /** `at` as ISO 8601 text (toISOString), when the caller has it already: saves the conversion. */
  atIso?: string;
  actorType: 'user' | 'system';
  actorId: string | null;
  actorLabel: string;
  schoolId: string | null;
  action: string;
  subjectType: string;
  subjectId: string | null;
  subjectLabel: string;
  details: Record<string, unknown>;
  personalDataHash: string | null;
  requestId: string | null;
  prevHash: string;
}

/**
 * The canonical encoding: JSON with keys sorted. Written out field by field (the template below
 * has the keys in sorted order) rather than through canonicalJson, because verification runs it a
 * million times; the unit tests hold it byte-identical to canonicalJson of the same object.
 */
export function canonicalEntry(e: HashedAuditFields): string {
  // canonicalJson leaves out undefined keys; the fast path writes null, so hand those over.
  if (
    e.actorId === undefined ||
    e.schoolId === undefined ||
    e.subjectId === undefined ||
    e.personalDataHash === undefined ||
    e.requestId === undefined
  ) {
    return canonicalEntryReference(e);
  }
  return fillTemplate(entryTemplate(e), e.seq, e.prevHash);
}

/**
 * An entry's canonical encoding with the two fields only the chain head decides (prevHash and seq)
 * left open. Writers send it to Postgres, whose audit_append (db/migrations/0010, 0011) fills them in
 * exactly as fillTemplate does and hashes the result when the transaction commits.
 */
export interface EntryTemplate {
  readonly beforePrevHash: string;
  readonly beforeSeq: string;
  readonly afterSeq: string;
}

export function entryTemplate(e: Omit<HashedAuditFields, 'seq' | 'prevHash'>): EntryTemplate {
  const str = (value: string | null) => JSON.stringify(value ?? null);
  return {
    beforePrevHash: `{"action":${str(e.action)},"actorId":${str(e.actorId)},"actorLabel":${str(e.actorLabel)},"actorType":${str(
      e.actorType,
    )},"at":"${e.atIso ?? e.at.toISOString()}","details":${canonicalJson(e.details)},"personalDataHash":${str(e.personalDataHash)},"prevHash":`,
    beforeSeq: `,"requestId":${str(e.requestId)},"schoolId":${str(e.schoolId)},"seq":`,
    afterSeq: `,"subjectId":${str(e.subjectId)},"subjectLabel":${str(e.subjectLabel)},"subjectType":${str(e.subjectType)}}`,
  };
}

export function fillTemplate(t: EntryTemplate, seq: number, prevHash: string): string {
  return `${t.beforePrevHash}${JSON.stringify(prevHash)}${t.beforeSeq}${JSON.stringify(seq)}${t.afterSeq}`;
}

/** The fields an entry's hash covers, in the canonical order, `at` as ISO 8601 text. */
export function hashedFieldsOf(e: HashedAuditFields) {
  return {
    seq: e.seq,
    at: e.at.toISOString(),
    actorType: e.actorType,
    actorId: e.actorId,
    actorLabel: e.actorLabel,
    schoolId: e.schoolId,
    action: e.action,
    subjectType: e.subjectType,
    subjectId: e.subjectId,
    subjectLabel: e.subjectLabel,
    details: e.details,
    personalDataHash: e.personalDataHash,
    requestId: e.requestId,
    prevHash: e.prevHash,
  };
}

/** The reference encoding canonicalEntry must equal (kept for the tests). */
export function canonicalEntryReference(e: HashedAuditFields): string {
  return canonicalJson(hashedFieldsOf(e));
}

/** hash = SHA-256(previous hash ‖ canonical encoding of the entry), hex. */
export function hashEntry(e: HashedAuditFields): string {
  // crypto.hash: the one-shot digest, several times cheaper per call than createHash.
  return hash('sha256', `${e.prevHash}\n${canonicalEntry(e)}`, 'hex');
}

export function hashPersonalData(content: Record<string, unknown>): string {
  return hash('sha256', canonicalJson(content), 'hex');
}
