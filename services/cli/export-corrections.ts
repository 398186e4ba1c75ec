import { writeFile } from 'node:fs/promises';
import { closeDatabase, createDatabase } from '../../db/client.js';
import { correctionExampleRows, toJsonl } from '../classification/corrections/correction-examples.js';
import { type CliIo, cliConfig, parseOptions, UsageError } from './cli-io.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * `export-corrections [--school <id>] [--out <file>]`: the corrections trust admins kept as
 * training examples, one {id,text,expect,kind,subkind} per line (the corpus format), to stdout or
 * a file such as config/classifier/corpus/staff-corrections.jsonl for the next training run.
 */
export async function exportCorrectionsCommand(argv: string[], io: CliIo): Promise<number> {
  const options = parseOptions(argv, { school: { type: 'string' }, out: { type: 'string' } });
  if (options.school !== undefined && !UUID.test(options.school)) {
    throw new UsageError('--school takes a school id (a UUID)');
  }
  const config = cliConfig();
  const db = createDatabase({ url: config.databaseUrl, max: 1, applicationName: 'hallmonitor-cli' });
  try {
    const rows = await correctionExampleRows(db, options.school ? [options.school] : null);
    const text = toJsonl(rows);
    if (options.out) {
      await writeFile(options.out, text, 'utf8');
      io.out(`Wrote ${rows.length} training examples to ${options.out}`);
    } else {
      if (text) process.stdout.write(text);
      io.progress(`${rows.length} training examples`);
    }
    return 0;
  } finally {
    await closeDatabase(db);
  }
}
