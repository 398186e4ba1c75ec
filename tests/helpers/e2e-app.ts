import { type AddressInfo, createServer } from 'node:net';
import type { Config } from '../../config/load-config.js';
import { type Sandbox, startSandbox } from '../../sandbox/server.js';
import { hashPassword } from '../../services/auth/hash-password.js';
import { createLogger } from '../../services/core/logger.js';
import { startWorkerRuntime, type WorkerRuntime } from '../../workers/worker-runtime.js';
import { buildTestApp, type TestApp } from './build-test-app.js';
import { createUser } from './factories.js';
import { metaTestEnv } from './test-config.js';
import { createTestDatabase, type TestDatabase } from './test-database.js';
import { clearRedisPrefix } from './test-redis.js';

export interface E2eApp {
  /** e.g. http://127.0.0.1:41234, no trailing slash */
  baseUrl: string;
  t: TestDatabase;
  api: TestApp;
  config: Config;
  /** The sandbox X platform, when started with `sandbox: true` (or `workers: true`). */
  sandbox: Sandbox | null;
  /** The real BullMQ workers (process, actions, replies, deadlines), when started with `workers: true`. */
  workers: WorkerRuntime | null;
  close(): Promise<void>;
}

/**
 * The real app listening on a free port over a database of the test file's own, and, when asked,
 * the sandbox X platform and the workers that execute actions and send replies against it.
 */
export async function startE2eApp(
  options: {
    sandbox?: boolean;
    workers?: boolean;
    /** also turn Facebook and Instagram on, against the sandbox's Meta Graph API */
    meta?: boolean;
    configOverrides?: Record<string, string>;
  } = {},
): Promise<E2eApp> {
  const t = await createTestDatabase();
  const sandbox =
    options.sandbox || options.workers || options.meta
      ? await startSandbox({ port: 0, host: '127.0.0.1' })
      : null;
  // The sign-in form checks the Origin against PUBLIC_URL, so the port is chosen before the config.
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const api = await buildTestApp(t.db, {
    configOverrides: {
      PUBLIC_URL: baseUrl,
      ...(sandbox ? { X_API_BASE_URL: sandbox.url } : {}),
      ...(sandbox && options.meta ? metaTestEnv(sandbox.url) : {}),
      ...options.configOverrides,
    },
  });
  await api.app.listen({ host: '127.0.0.1', port });
  const workers = options.workers
    ? await startWorkerRuntime({
        config: api.config,
        db: t.db,
        logger: createLogger(api.config, 'e2e-worker'),
      })
    : null;
  return {
    baseUrl,
    t,
    api,
    config: api.config,
    sandbox,
    workers,
    async close() {
      await workers?.close();
      await api.close();
      await sandbox?.close();
      await clearRedisPrefix(api.config.redisPrefix);
      await t.drop();
    },
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

let passwordHash: Promise<string> | undefined;
export const E2E_PASSWORD = 'correct horse battery staple';

/** A user who can sign in through the form with E2E_PASSWORD. */
export async function createPasswordUser(
  e2e: Pick<E2eApp, 't'>,
  values: Omit<Parameters<typeof createUser>[1], 'passwordHash'>,
) {
  passwordHash ??= hashPassword(E2E_PASSWORD);
  return createUser(e2e.t.db, { ...values, passwordHash: await passwordHash });
}
