import { loadConfigOrExit } from '../config/load-config.js';
import { closeDatabase, createDatabase } from '../db/client.js';
import { migrateDatabase } from '../db/migrate.js';
import { startWorkerRuntime } from '../workers/worker-runtime.js';
import { buildApp } from './api/build-app.js';
import { createLogger } from './core/logger.js';
import { onShutdown } from './core/shutdown.js';
import { checkServices, exitOnStartupError } from './core/startup-checks.js';

/**
 * `npm start`: the API and the workers in one process, sharing one pool — what a single school
 * runs. Migrations are applied first, so an upgrade is a restart.
 */
const config = loadConfigOrExit();
await checkServices(config).catch(exitOnStartupError);
const logger = createLogger(config, 'hallmonitor');
const db = createDatabase({ url: config.databaseUrl, max: 20 });
await migrateDatabase(db);
const runtime = await startWorkerRuntime({ config, db, logger: logger.child({ component: 'worker' }) });
const app = await buildApp(config, { db });
await app.listen({ host: config.host, port: config.port });
logger.info({ url: config.publicUrl }, 'Hallmonitor is running');
onShutdown(logger, [() => app.close(), () => runtime.close(), () => closeDatabase(db)]);
