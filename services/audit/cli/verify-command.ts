import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import type { Checkpoint } from '../audit-signing.js';
import { describeUnwitnessed, verifyAudit } from '../verify-audit.js';
import {
  type CliIo,
  configuredPublicKey,
  describeError,
  processIo,
  seqArg,
  UsageError,
  withCliDatabase,
} from './cli-support.js';

export const VERIFY_USAGE = `Usage: npm run audit:verify [-- --from N --to M] [--public-key KEY]... [--checkpoints FILE]
  Recomputes the audit chain (the whole log by default) and checks it against the signed
  checkpoints. Prints "intact" or the first bad entry. Exit 0 intact, 1 broken, 2 usage.
  --public-key KEY   trust only checkpoints signed with this key (base64); the key of
                     AUDIT_SIGNING_KEY is trusted when that is set
  --checkpoints FILE check against these checkpoints (JSON Lines, as exported) instead of the stored ones
  --database-url URL default: DATABASE_URL
`;

function parseVerifyArgs(argv: string[]) {
  return parseArgs({
    args: argv,
    options: {
      from: { type: 'string' },
      to: { type: 'string' },
      'public-key': { type: 'string', multiple: true },
      checkpoints: { type: 'string' },
      'database-url': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
}

/** `npm run audit:verify` and `npm run cli -- audit verify`: returns the exit code. */
export async function runVerifyCommand(argv: string[], io: CliIo = processIo): Promise<number> {
  let values: ReturnType<typeof parseVerifyArgs>['values'];
  let from: number | undefined;
  let to: number | undefined;
  try {
    values = parseVerifyArgs(argv).values;
    from = seqArg(values.from, '--from');
    to = seqArg(values.to, '--to');
  } catch (error) {
    io.err(`${(error as Error).message}\n${VERIFY_USAGE}`);
    return 2;
  }
  if (values.help) {
    io.out(VERIFY_USAGE);
    return 0;
  }
  const keys = [...(values['public-key'] ?? [])];
  const configured = configuredPublicKey();
  if (configured) keys.push(configured);
  let checkpoints: Checkpoint[] | undefined;
  if (values.checkpoints) {
    try {
      const text = await readFile(values.checkpoints, 'utf8');
      checkpoints = text
        .split('\n')
        .filter((l) => l.trim())
        .map((l) => JSON.parse(l) as Checkpoint);
    } catch (error) {
      io.err(`Cannot read checkpoints from ${values.checkpoints}: ${(error as Error).message}\n`);
      return 2;
    }
  }
  try {
    return await withCliDatabase(values['database-url'], async (db) => {
      const started = Date.now();
      let lastReport = started;
      const result = await verifyAudit(db, {
        ...(from !== undefined ? { from } : {}),
        ...(to !== undefined ? { to } : {}),
        ...(keys.length ? { trustedKeys: keys } : {}),
        ...(checkpoints ? { checkpoints } : {}),
        onProgress: (checked, lastSeq) => {
          const now = Date.now();
          if (now - lastReport < 1_000) return;
          lastReport = now;
          const rate = Math.round(checked / ((now - started) / 1_000));
          io.err(
            `… ${checked.toLocaleString('en-GB')} entries checked, up to ${lastSeq} (${rate.toLocaleString('en-GB')}/s)\n`,
          );
        },
      });
      const seconds = ((Date.now() - started) / 1_000).toFixed(1);
      if (result.intact && result.count === 0) {
        io.out(`intact: no entries to check in that range (the log ends at ${result.to})\n`);
        return 0;
      }
      if (result.intact) {
        io.out(
          `intact: entries ${result.from}–${result.to} (${result.count.toLocaleString('en-GB')} entries) in ${seconds} s, head hash ${result.headHash}; checked against ${result.checkpoints} signed checkpoint(s)${keys.length ? '' : ' (no key pinned: checkpoints trusted on their own keys; set AUDIT_SIGNING_KEY or pass --public-key)'}\n${describeUnwitnessed(result.unwitnessed)}\n`,
        );
        return 0;
      }
      io.out(
        `BROKEN at entry ${result.seq}: ${result.reason} (${result.checked.toLocaleString('en-GB')} entries before it are intact)\n`,
      );
      return 1;
    });
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`${error.message}\n${VERIFY_USAGE}`);
      return 2;
    }
    io.err(`audit verify failed: ${describeError(error)}\n`);
    return 2;
  }
}
