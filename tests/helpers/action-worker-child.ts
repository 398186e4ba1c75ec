// A worker process for fault tests: serves the actions queue against the test's database, Redis
// prefix and sandbox, until it is killed. Run with `npx tsx tests/helpers/action-worker-child.ts`;
// HM_CHILD_ENV holds the configuration variables as JSON and HM_CHILD_DATABASE_URL the test database.
import pino from 'pino';
import { loadConfig } from '../../config/load-config.js';
import { createDatabase } from '../../db/client.js';
import { startWorkerRuntime } from '../../workers/worker-runtime.js';

const config = loadConfig(JSON.parse(process.env.HM_CHILD_ENV ?? '{}') as Record<string, string>);
const db = createDatabase({
  url: process.env.HM_CHILD_DATABASE_URL ?? '',
  max: 4,
  applicationName: 'hm-test-child',
});
const lockDurationMs = Number(process.env.HM_CHILD_LOCK_MS ?? 0) || undefined;
await startWorkerRuntime({
  config,
  db,
  logger: pino({ level: 'silent' }),
  queues: ['actions'],
  ...(lockDurationMs ? { lockDurationMs } : {}),
});
process.stdout.write('ready\n');
