import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import type { Config } from '../../config/load-config.js';
import type { Database } from '../../db/client.js';
import { type AppOptions, buildApp } from '../../services/api/build-app.js';
import { createProducerRedis } from '../../services/core/redis-connections.js';
import { testConfig } from './test-config.js';

export interface TestApp {
  app: FastifyInstance;
  config: Config;
  redis: Redis;
  close(): Promise<void>;
}

/** The real app over the test file's database, for app.inject; closes what it opened. */
export async function buildTestApp(
  db: Database,
  options: {
    config?: Config;
    redisUrl?: string;
    configOverrides?: Record<string, string>;
    onRoute?: AppOptions['onRoute'];
    resolveTxt?: AppOptions['resolveTxt'];
  } = {},
): Promise<TestApp> {
  const config = options.config ?? testConfig(options.configOverrides);
  const redis = createProducerRedis(options.redisUrl ?? config.redisUrl);
  const app = await buildApp(config, {
    db,
    redis,
    logger: false,
    ...(options.onRoute ? { onRoute: options.onRoute } : {}),
    // Tests never ask the real DNS: a name has no TXT record unless the test says so.
    resolveTxt:
      options.resolveTxt ??
      (async () => {
        throw Object.assign(new Error('queryTxt ENOTFOUND'), { code: 'ENOTFOUND' });
      }),
  });
  await app.ready();
  return {
    app,
    config,
    redis,
    async close() {
      await app.close();
      redis.disconnect();
    },
  };
}
