import { runExportCommand } from '../audit/cli/export-command.js';
import { runVerifyCommand } from '../audit/cli/verify-command.js';
import type { CliIo } from './cli-io.js';
import { UsageError } from './cli-io.js';

/** The audit commands live with the audit area (services/audit/cli/); the CLI only routes to them. */
export async function auditCommand(argv: string[], _io: CliIo): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === 'verify') return runVerifyCommand(rest);
  if (sub === 'export') return runExportCommand(rest);
  throw new UsageError(sub ? `unknown audit command "${sub}"` : 'audit needs a command: verify or export');
}
