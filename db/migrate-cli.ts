import { loadConfigOrExit } from '../config/load-config.js';
import { closeDatabase, createDatabase, describeDatabaseUrl } from './client.js';
import { ensureDatabaseExists } from './ensure-database.js';
import { migrateDatabase } from './migrate.js';
import { postgresDownMessage } from './service-checks.js';

const config = loadConfigOrExit();
try {
  if (await ensureDatabaseExists(config.databaseUrl)) {
    process.stdout.write(`Created database ${describeDatabaseUrl(config.databaseUrl)}\n`);
  }
} catch (error) {
  process.stderr.write(`${postgresDownMessage(config.databaseUrl, error)}\n`);
  process.exit(1);
}
const db = createDatabase({ url: config.databaseUrl, max: 1 });
try {
  await migrateDatabase(db);
  process.stdout.write(`Migrations applied to ${describeDatabaseUrl(config.databaseUrl)}\n`);
} catch (error) {
  process.stderr.write(`Migration failed: ${(error as Error).message}\n`);
  process.exitCode = 1;
} finally {
  await closeDatabase(db);
}
