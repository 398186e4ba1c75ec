import { ServiceError } from './service-error.js';

/** Long enough for a healthy Redis under load, short enough that a user is not kept waiting. */
export const QUEUE_PING_TIMEOUT_MS = 1_000;

/**
 * A write whose work happens in a job checks the queue before it saves anything: with Redis down
 * it answers 503 and stores nothing, so the user's retry cannot leave two rows that both get
 * sent. The API's producer connection does not queue commands offline, so a dead Redis fails the
 * ping at once; the timeout covers one that accepts the connection but does not answer.
 */
export async function assertQueueReachable(
  redis: { ping(): Promise<unknown> },
  doing: string,
  timeoutMs = QUEUE_PING_TIMEOUT_MS,
): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('ping timed out')), timeoutMs);
  });
  try {
    await Promise.race([redis.ping(), timeout]);
  } catch {
    throw new ServiceError(
      'UPSTREAM_UNAVAILABLE',
      `The job queue (Redis) is unavailable, so ${doing} was not saved; try again shortly`,
    );
  } finally {
    clearTimeout(timer);
  }
}
