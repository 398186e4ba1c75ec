import { createHash } from 'node:crypto';
import { hashEntry } from './audit-hash.js';
import { checkpointProblem, verifyBytes } from './audit-signing.js';
import {
  CSV_COLUMNS,
  CSV_MANIFEST_PREFIX,
  csvToEntry,
  type ExportedEntry,
  type ExportManifest,
  fieldsFromExport,
  manifestMessage,
  parseCsvRecord,
} from './export-format.js';

export type ExportVerdict =
  | {
      intact: true;
      format: 'jsonl' | 'csv';
      count: number;
      firstSeq: number | null;
      lastSeq: number | null;
      headHash: string | null;
      contiguous: boolean;
      signedBy: string | null;
      /** True when the signing key was pinned with --public-key rather than taken from the manifest. */
      keyPinned: boolean;
      checkpoints: number;
    }
  | { intact: false; reason: string; seq?: number; line?: number };

export interface VerifyExportOptions {
  /** The trust's audit public key (base64): the manifest must be signed with it. */
  publicKey?: string | undefined;
  /** Accept a manifest with no signature (exports taken with no AUDIT_SIGNING_KEY). */
  allowUnsigned?: boolean;
}

/** Splits a byte stream into lines at '\n', keeping each line's exact bytes. */
async function* byteLines(
  source: AsyncIterable<Buffer | string> | Iterable<Buffer | string>,
): AsyncGenerator<Buffer> {
  let rest: Buffer = Buffer.alloc(0);
  for await (const chunk of source) {
    let buf = Buffer.concat([rest, typeof chunk === 'string' ? Buffer.from(chunk) : chunk]);
    let at = buf.indexOf(0x0a);
    while (at !== -1) {
      yield buf.subarray(0, at + 1);
      buf = buf.subarray(at + 1);
      at = buf.indexOf(0x0a);
    }
    rest = buf;
  }
  if (rest.length) yield rest;
}

/**
 * Verifies an export with no database: every entry's hash, the links between entries of a
 * contiguous export, the count and head hash, the file's SHA-256 against the manifest, the
 * manifest's signature, and the checkpoints' signatures and hashes. Streams the file.
 */
export async function verifyExport(
  source: AsyncIterable<Buffer | string> | Iterable<Buffer | string>,
  options: VerifyExportOptions = {},
): Promise<ExportVerdict> {
  const digest = createHash('sha256');
  let held: Buffer | null = null;
  let lineNo = 0;
  let format: 'jsonl' | 'csv' | null = null;
  let csvPending = '';
  let count = 0;
  let first: ExportedEntry | null = null;
  let prev: ExportedEntry | null = null;
  const hashBySeq = new Map<number, string>();
  let failure: ExportVerdict | null = null;
  // Only a contiguous export must link entry to entry; known once the manifest is read.
  let linkBreak: { seq: number; line: number; reason: string } | null = null;

  const check = (line: number, e: ExportedEntry): ExportVerdict | null => {
    let hash: string;
    try {
      hash = hashEntry(fieldsFromExport(e));
    } catch {
      return { intact: false, seq: e.seq, line, reason: 'entry is malformed' };
    }
    if (hash !== e.hash)
      return { intact: false, seq: e.seq, line, reason: 'entry content does not match its hash' };
    if (prev && e.seq <= prev.seq) {
      return { intact: false, seq: e.seq, line, reason: 'entries are out of order' };
    }
    if (prev && !linkBreak) {
      if (e.seq !== prev.seq + 1) linkBreak = { seq: prev.seq + 1, line, reason: 'entry is missing' };
      else if (e.prevHash !== prev.hash) {
        linkBreak = {
          seq: e.seq,
          line,
          reason: 'previous-hash link is broken (an entry before it was removed, reordered or rewritten)',
        };
      }
    }
    first ??= e;
    count += 1;
    hashBySeq.set(e.seq, e.hash);
    prev = e;
    return null;
  };

  const take = (raw: Buffer): ExportVerdict | null => {
    lineNo += 1;
    const text = raw.toString('utf8');
    if (format === null) {
      format = text.startsWith(`${CSV_COLUMNS[0]},`) ? 'csv' : 'jsonl';
      if (format === 'csv') return null;
    }
    if (format === 'csv') {
      csvPending += text;
      // A record is complete when its quotes balance (a quoted field may hold newlines).
      if ((csvPending.match(/"/g)?.length ?? 0) % 2 === 1) return null;
      const record = csvPending.replace(/\r?\n$/, '');
      csvPending = '';
      let entry: ExportedEntry;
      try {
        entry = csvToEntry(parseCsvRecord(record));
      } catch (error) {
        return {
          intact: false,
          line: lineNo,
          reason: `line is not an export row: ${(error as Error).message}`,
        };
      }
      return check(lineNo, entry);
    }
    let entry: ExportedEntry;
    try {
      entry = JSON.parse(text) as ExportedEntry;
    } catch {
      return { intact: false, line: lineNo, reason: 'line is not JSON' };
    }
    return check(lineNo, entry);
  };

  for await (const raw of byteLines(source)) {
    if (held) {
      digest.update(held);
      if (!failure) failure = take(held);
    }
    held = raw;
  }
  if (failure) return failure;
  if (!held) return { intact: false, reason: 'the file is empty' };

  // The last line is the manifest.
  const lastText = held.toString('utf8').replace(/\r?\n$/, '');
  let manifest: ExportManifest;
  try {
    manifest = lastText.startsWith(CSV_MANIFEST_PREFIX)
      ? (JSON.parse(lastText.slice(CSV_MANIFEST_PREFIX.length)) as ExportManifest)
      : (JSON.parse(lastText) as { manifest: ExportManifest }).manifest;
  } catch {
    return { intact: false, reason: 'the manifest (last line) is missing or not JSON' };
  }
  if (manifest?.type !== 'hallmonitor-audit-export') {
    return { intact: false, reason: 'the manifest (last line) is missing: the file was cut short?' };
  }
  if (csvPending) return { intact: false, line: lineNo, reason: 'the last CSV record is incomplete' };

  if (manifest.signature) {
    if (options.publicKey && manifest.signature.publicKey !== options.publicKey) {
      return {
        intact: false,
        reason: 'the manifest is signed by a different key than the one given: forged',
      };
    }
    if (!verifyBytes(manifest.signature.publicKey, manifestMessage(manifest), manifest.signature.value)) {
      return {
        intact: false,
        reason: 'the manifest signature is invalid: the manifest was edited or forged',
      };
    }
  } else if (!options.allowUnsigned || options.publicKey) {
    return {
      intact: false,
      reason:
        'the manifest is not signed (export taken with no AUDIT_SIGNING_KEY); pass --allow-unsigned to check it anyway',
    };
  }
  if (digest.digest('hex') !== manifest.sha256) {
    return {
      intact: false,
      reason: "the file's content does not match the manifest's SHA-256: rows were edited, added or removed",
    };
  }
  if (count !== manifest.count) {
    return {
      intact: false,
      reason: `the file holds ${count} entries but the manifest says ${manifest.count}`,
    };
  }
  const firstEntry = first as ExportedEntry | null;
  const lastEntry = prev as ExportedEntry | null;
  if ((lastEntry?.hash ?? null) !== manifest.headHash) {
    return {
      intact: false,
      seq: lastEntry?.seq,
      reason: "the last entry's hash is not the manifest's head hash",
    };
  }
  if (manifest.contiguous && firstEntry) {
    if (firstEntry.prevHash !== manifest.firstPrevHash) {
      return {
        intact: false,
        seq: firstEntry.seq,
        reason: "the first entry does not link to the manifest's previous hash",
      };
    }
  }
  const broken = linkBreak as { seq: number; line: number; reason: string } | null;
  if (manifest.contiguous && broken) return { intact: false, ...broken };
  const keys = options.publicKey
    ? [options.publicKey]
    : manifest.signature
      ? [manifest.signature.publicKey]
      : undefined;
  let checkpoints = 0;
  for (const c of manifest.checkpoints) {
    const problem = checkpointProblem(c, keys);
    if (problem) return { intact: false, seq: c.seq, reason: problem };
    const hash = hashBySeq.get(c.seq);
    if (hash !== undefined) {
      if (hash !== c.headHash) {
        return {
          intact: false,
          seq: c.seq,
          reason: `entry does not match the checkpoint signed ${c.signedAt}`,
        };
      }
      checkpoints += 1;
    }
  }
  return {
    intact: true,
    format: format ?? 'jsonl',
    count,
    firstSeq: firstEntry?.seq ?? null,
    lastSeq: lastEntry?.seq ?? null,
    headHash: lastEntry?.hash ?? null,
    contiguous: manifest.contiguous,
    signedBy: manifest.signature?.publicKey ?? null,
    keyPinned: !!options.publicKey,
    checkpoints,
  };
}
