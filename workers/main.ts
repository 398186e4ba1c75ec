import { loadConfigOrExit } from '../config/load-config.js';
import { closeDatabase, createDatabase } from '../db/client.js';
import { createLogger } from '../services/core/logger.js';
import { onShutdown } from '../services/core/shutdown.js';
import { checkServices, exitOnStartupError } from '../services/core/startup-checks.js';
import { startWorkerRuntime } from './worker-runtime.js';

/**
 * `npm run start:worker`: the BullMQ workers alone; run as many as the load needs.
 */
const config = loadConfigOrExit();
await checkServices(config).catch(exitOnStartupError);
const logger = createLogger(config, 'worker');
const db = createDatabase({ url: config.databaseUrl, applicationName: 'hallmonitor-worker' });
const runtime = await startWorkerRuntime({ config, db, logger });
// SIGTERM: stop taking jobs and let running ones finish, then close the pools.
onShutdown(logger, [() => runtime.close(), () => closeDatabase(db)]);
