// `npm run cli -- <command>` (see run-cli.ts for the commands, or `npm run cli -- help`).
import { runCli } from './run-cli.js';

process.exit(await runCli(process.argv.slice(2)));
