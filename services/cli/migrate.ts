import { closeDatabase, createDatabase, describeDatabaseUrl } from '../../db/client.js';
import { ensureDatabaseExists } from '../../db/ensure-database.js';
import { migrateDatabase } from '../../db/migrate.js';
import { postgresDownMessage } from '../../db/service-checks.js';
import { type CliIo, CommandError, cliConfig, parseOptions } from './cli-io.js';

/** `migrate`: creates the database if needed and applies every migration not yet applied. */
export async function migrateCommand(argv: string[], io: CliIo): Promise<number> {
  parseOptions(argv, {});
  const config = cliConfig();
  const where = describeDatabaseUrl(config.databaseUrl);
  try {
    if (await ensureDatabaseExists(config.databaseUrl)) io.progress(`Created database ${where}`);
  } catch (error) {
    throw new CommandError(postgresDownMessage(config.databaseUrl, error));
  }
  const db = createDatabase({ url: config.databaseUrl, max: 1, applicationName: 'hallmonitor-cli' });
  try {
    io.progress(`Applying migrations to ${where}…`);
    await migrateDatabase(db);
    io.out(`Migrations applied to ${where}`);
    return 0;
  } catch (error) {
    throw new CommandError(`Migration failed: ${(error as Error).message}`);
  } finally {
    await closeDatabase(db);
  }
}
