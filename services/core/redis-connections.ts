import { Redis, type RedisOptions } from 'ioredis';

/**
 * Redis by role. Producers (the API) fail fast when Redis is down, so a request answers 503
 * instead of hanging; workers wait for Redis to come back, as BullMQ requires.
 */
export function createProducerRedis(url: string, extra: RedisOptions = {}): Redis {
  const redis = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2_000,
    retryStrategy: (times) => Math.min(times * 200, 2_000),
    ...extra,
  });
  redis.on('error', () => {});
  return redis;
}

export function createWorkerRedis(url: string, extra: RedisOptions = {}): Redis {
  const redis = new Redis(url, {
    maxRetriesPerRequest: null,
    retryStrategy: (times) => Math.min(times * 200, 5_000),
    ...extra,
  });
  redis.on('error', () => {});
  return redis;
}
