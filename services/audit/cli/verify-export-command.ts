import { createReadStream } from 'node:fs';
import { access } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { verifyExport } from '../verify-export.js';
import { type CliIo, configuredPublicKey, processIo } from './cli-support.js';

export const VERIFY_EXPORT_USAGE = `Usage: npm run audit:verify-export -- FILE [--public-key KEY] [--allow-unsigned]
  Checks an audit export (CSV or JSON Lines) with no database: every entry's hash, the chain
  links of an unfiltered export, the manifest's SHA-256, count, head hash and signature, and
  the signed checkpoints. Exit 0 intact, 1 failed, 2 usage.
  --public-key KEY   the trust's audit public key (base64): the manifest must be signed with it
  --allow-unsigned   accept an export taken with no AUDIT_SIGNING_KEY (integrity only)
`;

function parseVerifyExportArgs(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      'public-key': { type: 'string' },
      'allow-unsigned': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
}

/** `npm run audit:verify-export` and `npm run cli -- audit verify-export`: returns the exit code. */
export async function runVerifyExportCommand(argv: string[], io: CliIo = processIo): Promise<number> {
  let parsed: ReturnType<typeof parseVerifyExportArgs>;
  try {
    parsed = parseVerifyExportArgs(argv);
  } catch (error) {
    io.err(`${(error as Error).message}\n${VERIFY_EXPORT_USAGE}`);
    return 2;
  }
  if (parsed.values.help) {
    io.out(VERIFY_EXPORT_USAGE);
    return 0;
  }
  const file = parsed.positionals[0];
  if (!file || parsed.positionals.length > 1) {
    io.err(VERIFY_EXPORT_USAGE);
    return 2;
  }
  try {
    await access(file);
  } catch {
    io.err(`Cannot read ${file}\n`);
    return 2;
  }
  const publicKey = parsed.values['public-key'] ?? configuredPublicKey() ?? undefined;
  const verdict = await verifyExport(createReadStream(file), {
    publicKey,
    allowUnsigned: !!parsed.values['allow-unsigned'],
  });
  if (verdict.intact) {
    const range = verdict.firstSeq === null ? 'no entries' : `entries ${verdict.firstSeq}–${verdict.lastSeq}`;
    io.out(
      `intact: ${file}: ${verdict.count} ${verdict.format} entries (${range}${verdict.contiguous ? ', one unbroken chain' : ', filtered'}), head hash ${verdict.headHash ?? '-'}; ${verdict.checkpoints} checkpoint(s) matched; ${
        verdict.signedBy
          ? `signed by ${verdict.signedBy}${verdict.keyPinned ? '' : ' (the key in the manifest: pass --public-key to pin it)'}`
          : 'NOT signed'
      }\n`,
    );
    return 0;
  }
  const where = [
    verdict.seq !== undefined ? `entry ${verdict.seq}` : null,
    verdict.line ? `line ${verdict.line}` : null,
  ]
    .filter(Boolean)
    .join(', ');
  io.out(`FAILED: ${file}${where ? ` at ${where}` : ''}: ${verdict.reason}\n`);
  return 1;
}
