/**
 * The operator's command line. Exit codes: 0 done, 1 failed (the reason on stderr), 2 the
 * command line was wrong (the usage on stderr).
 */
import { auditCommand } from './audit.js';
import { type CliIo, CommandError, stdio, UsageError } from './cli-io.js';
import { createTrustAdminCommand } from './create-trust-admin.js';
import { exportCorrectionsCommand } from './export-corrections.js';
import { jobsCommand } from './jobs.js';
import { migrateCommand } from './migrate.js';

export const USAGE = `Usage: npm run cli -- <command> [options]

Commands:
  create-trust-admin --trust <name or id> --email <email> --name <display name> [--password <p> | --password -]
        A person with the trust admin role at every school of the trust. Without --password a
        password is generated and printed once; "--password -" reads it from stdin.
  migrate
        Create the database if needed and apply every migration not yet applied.
  audit verify [--from N] [--to M]
        Recompute the hash chain of the audit log (all of it, or entries N to M).
  audit export [options]
        Export the audit log (see docs/audit.md for the options).
  jobs failed [--queue <queue>] [--limit N]
        List failed jobs (queue, id, name, attempts, when, reason), tab-separated.
  jobs retry [--queue <queue>] (--all | --id <job id>)
        Move failed jobs back to waiting.
  export-corrections [--school <id>] [--out <file>]
        Staff corrections a trust admin kept as training examples, one {id,text,expect,kind,subkind}
        per line (npm run classifier:export-corrections -- --out config/classifier/corpus/staff-corrections.jsonl).
  help
        This text.

Queues: poll, process, deadlines, actions, notify, maintenance.
Configuration comes from the environment (.env.example): DATABASE_URL, REDIS_URL, REDIS_PREFIX,
SESSION_SECRET and ENCRYPTION_KEY. Progress goes to stderr, results to stdout.`;

const COMMANDS: Record<string, (argv: string[], io: CliIo) => Promise<number>> = {
  'create-trust-admin': createTrustAdminCommand,
  migrate: migrateCommand,
  audit: auditCommand,
  jobs: jobsCommand,
  'export-corrections': exportCorrectionsCommand,
};

export async function runCli(argv: string[], io: CliIo = stdio): Promise<number> {
  const [command, ...rest] = argv;
  if (command === 'help' || command === '--help' || command === '-h') {
    io.out(USAGE);
    return 0;
  }
  try {
    const run = command ? COMMANDS[command] : undefined;
    if (!run) throw new UsageError(command ? `unknown command "${command}"` : 'no command given');
    return await run(rest, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.progress(`error: ${error.message}\n\n${USAGE}`);
      return 2;
    }
    if (error instanceof CommandError) {
      io.progress(`error: ${error.message}`);
      return 1;
    }
    io.progress(`error: ${(error as Error).message ?? String(error)}`);
    return 1;
  }
}
