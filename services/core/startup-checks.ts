import { Redis } from 'ioredis';
import pg from 'pg';
import type { Config } from '../../config/load-config.js';
import { postgresDownMessage, redisDownMessage } from '../../db/service-checks.js';

export class StartupError extends Error {
  override name = 'StartupError';
}

/** Fails fast, naming which service is down and where, before anything else starts. */
export async function checkServices(config: Pick<Config, 'databaseUrl' | 'redisUrl'>): Promise<void> {
  const problems: string[] = [];
  const client = new pg.Client({ connectionString: config.databaseUrl, connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
    await client.query('select 1');
  } catch (error) {
    problems.push(postgresDownMessage(config.databaseUrl, error));
  } finally {
    await client.end().catch(() => {});
  }
  const redis = new Redis(config.redisUrl, {
    lazyConnect: true,
    connectTimeout: 3_000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
  });
  redis.on('error', () => {});
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    problems.push(redisDownMessage(config.redisUrl, error));
  } finally {
    redis.disconnect();
  }
  if (problems.length) throw new StartupError(problems.join('\n'));
}

/** Entry points: print the reason on one line per problem and exit non-zero, no stack trace. */
export function exitOnStartupError(error: unknown): never {
  if (error instanceof StartupError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
  throw error;
}
