import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../../config/load-config.js';
import { type Sandbox, startSandbox } from '../../../sandbox/server.js';
import { systemContext } from '../../../services/core/service-context.js';
import { pollAccount } from '../../../services/ingestion/poll-account.js';
import { createAdapterFactory } from '../../../services/platforms/create-adapter-factory.js';
import { buildTestApp, type TestApp } from '../../helpers/build-test-app.js';
import { createSchool } from '../../helpers/factories.js';
import { connectSandboxAccount } from '../../helpers/sandbox-account.js';
import { testConfig } from '../../helpers/test-config.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';
import { clearRedisPrefix } from '../../helpers/test-redis.js';

let t: TestDatabase;
let sandbox: Sandbox;
let config: Config;
let api: TestApp;

beforeAll(async () => {
  t = await createTestDatabase();
  sandbox = await startSandbox({ port: 0, host: '127.0.0.1' });
  config = testConfig({ X_API_BASE_URL: sandbox.url });
  api = await buildTestApp(t.db, { config });
});
afterAll(async () => {
  await api.close();
  await clearRedisPrefix(config.redisPrefix);
  await sandbox.close();
  await t.drop();
});

/** The value of one series on /metrics (0 when the series is absent). */
async function series(name: string, labels: Record<string, string>): Promise<number> {
  const res = await api.app.inject({ url: '/metrics' });
  expect(res.statusCode).toBe(200);
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  const line = res.body
    .split('\n')
    .find((l) => l.startsWith(`${name}{`) && wanted.every((w) => l.includes(w)));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
}

const MENTIONS = { platform: 'x', endpoint: 'GET /2/users/:id/mentions' };

describe('platform API calls on /metrics', () => {
  it('counts each call to X by endpoint and outcome, a 429 included', async () => {
    const school = await createSchool(t.db);
    const { account, user } = await connectSandboxAccount(t.db, sandbox, config, {
      schoolId: school.id,
      username: 'metrics_primary',
    });
    const okBefore = await series('hallmonitor_platform_calls_total', { ...MENTIONS, status: 'ok' });
    const limitedBefore = await series('hallmonitor_platform_calls_total', {
      ...MENTIONS,
      status: 'rate_limited',
    });
    for (let i = 0; i < 3; i++)
      sandbox.state.injectComment({ from: `parent${i}`, to: user.username, text: `Question ${i}` });
    const deps = {
      encryptionKey: config.encryptionKey,
      adapterFor: createAdapterFactory(config),
      onInserted: async () => {},
    };
    const polled = await pollAccount(systemContext(t.db, 'test'), { accountId: account.id }, deps);
    expect(polled).toMatchObject({ status: 'polled', inserted: 3 });
    const calls = sandbox.state.log.filter(
      (e) => e.endpoint === MENTIONS.endpoint && e.path.includes(user.id),
    ).length;
    expect(calls).toBeGreaterThan(0);
    expect(await series('hallmonitor_platform_calls_total', { ...MENTIONS, status: 'ok' })).toBe(
      okBefore + calls,
    );

    sandbox.faults.set({ rateLimitNext: { count: 1, endpoint: 'mentions', resetInSeconds: 30 } });
    const limited = await pollAccount(systemContext(t.db, 'test'), { accountId: account.id }, deps);
    expect(limited.status).toBe('rate_limited');
    expect(await series('hallmonitor_platform_calls_total', { ...MENTIONS, status: 'rate_limited' })).toBe(
      limitedBefore + 1,
    );
  });
});
