import { closeDatabase, createDatabase } from '../../db/client.js';
import { verifyAudit } from '../audit/verify-audit.js';
import { type CliIo, CommandError, cliConfig, parseOptions, positiveInt, UsageError } from './cli-io.js';

type Delegate = (argv: string[]) => Promise<number>;

/**
 * The audit commands live with the audit area (services/audit/cli/); the CLI only routes to them.
 * Loaded by a computed path so the CLI still starts (and `audit verify` still works, through the
 * verifier itself) in a build where they are absent.
 */
async function loadDelegate(file: string, exported: string): Promise<Delegate | undefined> {
  const specifier = `../audit/cli/${file}.js`;
  try {
    const mod = (await import(specifier)) as Record<string, unknown>;
    const fn = mod[exported];
    return typeof fn === 'function' ? (fn as Delegate) : undefined;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') return undefined;
    throw error;
  }
}

/** `audit verify [--from N] [--to M]` without the audit area's command: the chain verifier. */
async function verifyFallback(argv: string[], io: CliIo): Promise<number> {
  const opts = parseOptions(argv, { from: { type: 'string' }, to: { type: 'string' } });
  const from = positiveInt(opts.from, 'from');
  const to = positiveInt(opts.to, 'to');
  if (from !== undefined && to !== undefined && from > to)
    throw new UsageError('--from must not be after --to');
  const config = cliConfig();
  const db = createDatabase({ url: config.databaseUrl, max: 2, applicationName: 'hallmonitor-cli' });
  try {
    const result = await verifyAudit(db, {
      ...(from !== undefined ? { from } : {}),
      ...(to !== undefined ? { to } : {}),
      onProgress: (checked, lastSeq) => io.progress(`checked ${checked} entries (up to #${lastSeq})`),
    });
    if (result.intact) {
      io.out(`Audit chain intact: entries ${result.from} to ${result.to} (${result.count} checked)`);
      io.out(`Head hash: ${result.headHash}`);
      return 0;
    }
    io.out(
      `Audit chain BROKEN at entry ${result.seq}: ${result.reason} (${result.checked} checked before it)`,
    );
    return 1;
  } finally {
    await closeDatabase(db);
  }
}

export async function auditCommand(argv: string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === 'verify') {
    const delegate = await loadDelegate('verify-command', 'runVerifyCommand');
    return delegate ? delegate(rest) : verifyFallback(rest, io);
  }
  if (sub === 'export') {
    const delegate = await loadDelegate('export-command', 'runExportCommand');
    if (!delegate) throw new CommandError('audit export is not available in this build');
    return delegate(rest);
  }
  throw new UsageError(sub ? `unknown audit command "${sub}"` : 'audit needs a command: verify or export');
}
