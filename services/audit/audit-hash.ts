import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json.js';

export const GENESIS_HASH = '0'.repeat(64);

/** The fields of an entry that its hash covers: all of them but the hash itself. */
export interface HashedAuditFields {
  seq: number;
  at: Date;
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

export function canonicalEntry(e: HashedAuditFields): string {
  return canonicalJson({
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
  });
}

/** hash = SHA-256(previous hash ‖ canonical encoding of the entry), hex. */
export function hashEntry(e: HashedAuditFields): string {
  return createHash('sha256').update(e.prevHash).update('\n').update(canonicalEntry(e)).digest('hex');
}

export function hashPersonalData(content: Record<string, unknown>): string {
  return createHash('sha256').update(canonicalJson(content)).digest('hex');
}
