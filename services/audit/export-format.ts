import { csvRow } from '../core/csv.js';
import type { HashedAuditFields } from './audit-hash.js';
import type { Checkpoint } from './audit-signing.js';
import { canonicalJson } from './canonical-json.js';

export { parseCsvRecord } from '../core/csv.js';

/** An exported entry: every field its hash covers, the hash, and (not hashed) its redaction state. */
export type ExportedEntry = Omit<HashedAuditFields, 'at' | 'atIso'> & {
  /** ISO 8601, as hashed. */
  at: string;
  hash: string;
  /** Not covered by the hash: "held", "none", or "redacted on … under the retention policy". */
  personalData: string;
};

export type ExportFormat = 'jsonl' | 'csv';

export interface ExportManifest {
  type: 'hallmonitor-audit-export';
  version: 1;
  format: ExportFormat;
  exportedAt: string;
  /** The filter as given; an unfiltered range exports the chain itself and is checked link by link. */
  filter: Record<string, unknown>;
  contiguous: boolean;
  range: { fromSeq: number; toSeq: number };
  count: number;
  firstSeq: number | null;
  lastSeq: number | null;
  /** The prev_hash of the first exported entry (links the export to the chain before it). */
  firstPrevHash: string | null;
  /** The hash of the last exported entry. */
  headHash: string | null;
  /** The whole chain's head when the export was taken. */
  chainHead: { seq: number; hash: string };
  /** SHA-256 (hex) of every byte of the file before the manifest line. */
  sha256: string;
  checkpoints: Checkpoint[];
  /** Ed25519 over the canonical JSON of the manifest without this field; null with no key configured. */
  signature: { publicKey: string; value: string } | null;
}

export const CSV_COLUMNS = [
  'seq',
  'at',
  'actor_type',
  'actor_id',
  'actor_label',
  'school_id',
  'action',
  'subject_type',
  'subject_id',
  'subject_label',
  'details',
  'personal_data_hash',
  'request_id',
  'prev_hash',
  'hash',
  'personal_data',
] as const;

export const CSV_MANIFEST_PREFIX = '# manifest: ';

export function manifestMessage(manifest: Omit<ExportManifest, 'signature'> | ExportManifest): string {
  const { signature: _, ...rest } = manifest as ExportManifest;
  return `hallmonitor-audit-export/v1\n${canonicalJson(rest)}`;
}

export function csvHeader(): string {
  return `${CSV_COLUMNS.join(',')}\n`;
}

/** One entry as a CSV record, written by the shared writer (formula-looking text defused). */
export function entryToCsv(e: ExportedEntry): string {
  return `${csvRow([
    e.seq,
    e.at,
    e.actorType,
    e.actorId,
    e.actorLabel,
    e.schoolId,
    e.action,
    e.subjectType,
    e.subjectId,
    e.subjectLabel,
    canonicalJson(e.details),
    e.personalDataHash,
    e.requestId,
    e.prevHash,
    e.hash,
    e.personalData,
  ])}\n`;
}

const orNull = (s: string | undefined) => (s === undefined || s === '' ? null : s);

export function csvToEntry(cells: string[]): ExportedEntry {
  if (cells.length !== CSV_COLUMNS.length) {
    throw new Error(`expected ${CSV_COLUMNS.length} columns, found ${cells.length}`);
  }
  const c = (name: (typeof CSV_COLUMNS)[number]) => cells[CSV_COLUMNS.indexOf(name)]!;
  return {
    seq: Number(c('seq')),
    at: c('at'),
    actorType: c('actor_type') as 'user' | 'system',
    actorId: orNull(c('actor_id')),
    actorLabel: c('actor_label'),
    schoolId: orNull(c('school_id')),
    action: c('action'),
    subjectType: c('subject_type'),
    subjectId: orNull(c('subject_id')),
    subjectLabel: c('subject_label'),
    details: JSON.parse(c('details')) as Record<string, unknown>,
    personalDataHash: orNull(c('personal_data_hash')),
    requestId: orNull(c('request_id')),
    prevHash: c('prev_hash'),
    hash: c('hash'),
    personalData: c('personal_data'),
  };
}

export function fieldsFromExport(e: ExportedEntry): HashedAuditFields {
  return { ...e, at: new Date(e.at) };
}
