import { runExportCommand } from './export-command.js';
import { runVerifyCommand } from './verify-command.js';
import { runVerifyExportCommand } from './verify-export-command.js';

/** `npm run audit:verify | audit:export | audit:verify-export`: one entrypoint, one sub-command. */
const commands: Record<string, (argv: string[]) => Promise<number>> = {
  verify: runVerifyCommand,
  export: runExportCommand,
  'verify-export': runVerifyExportCommand,
};

const [name, ...rest] = process.argv.slice(2);
const command = name ? commands[name] : undefined;
if (!command) {
  process.stderr.write(`Usage: tsx services/audit/cli/main.ts verify|export|verify-export [options]\n`);
  process.exit(2);
}
process.exitCode = await command(rest);
