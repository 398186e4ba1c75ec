import { loadConfigOrExit } from '../../config/load-config.js';
import { createLogger } from '../core/logger.js';
import { onShutdown } from '../core/shutdown.js';
import { checkServices, exitOnStartupError } from '../core/startup-checks.js';
import { buildApp } from './build-app.js';

/** `npm run start:api`: the API and staff UI alone (workers run elsewhere). */
const config = loadConfigOrExit();
await checkServices(config).catch(exitOnStartupError);
const app = await buildApp(config);
await app.listen({ host: config.host, port: config.port });
onShutdown(createLogger(config, 'api'), [() => app.close()]);
