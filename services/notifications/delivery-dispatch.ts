import type { JobsOptions } from 'bullmq';
import type { Logger } from 'pino';
import type { Database } from '../../db/client.js';
import type { Queues } from '../../workers/queues.js';
import { type PgListener, startPgListener } from '../core/pg-listener.js';
import { DELIVERY_CHANNEL } from './notify-users.js';

export interface DeliveryRetry {
  /** Attempts per delivery, the first included; the last failure marks it failed. */
  attempts: number;
  /** First retry delay; each next one doubles. */
  backoffMs: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export const notifyJobOptions = (retry: DeliveryRetry): JobsOptions => ({
  attempts: retry.attempts,
  backoff: { type: 'exponential', delay: retry.backoffMs },
});

/** One `notify` job per delivery; the job id comes from the delivery id, so twice is once. */
export async function queueDeliveries(
  queues: Pick<Queues, 'addBulk'>,
  deliveryIds: readonly string[],
  retry: DeliveryRetry,
): Promise<void> {
  await queues.addBulk(
    'notify',
    deliveryIds.map((deliveryId) => ({ deliveryId })),
    notifyJobOptions(retry),
  );
}

/**
 * For the relay: makes sure a pending delivery has a live job (queues.ensureQueued), keeping the
 * delivery's retry policy when the job is added again.
 */
export function ensureDeliveryQueued(
  queues: Pick<Queues, 'ensureQueued'>,
  deliveryId: string,
  retry: DeliveryRetry,
): Promise<'added' | 'retried' | 'pending'> {
  return queues.ensureQueued('notify', { deliveryId }, notifyJobOptions(retry));
}

export type DeliveryListener = PgListener;

/**
 * LISTENs for deliveries committed by notifyUsers and hands their ids to `onDeliveries` (which
 * enqueues them). Anything announced while the connection was down is found by the relay.
 */
export function startDeliveryListener(options: {
  db: Database;
  logger: Logger;
  onDeliveries: (ids: string[]) => Promise<void>;
  reconnectMs?: number;
}): Promise<DeliveryListener> {
  const { logger, onDeliveries } = options;
  return startPgListener({
    db: options.db,
    logger,
    channel: DELIVERY_CHANNEL,
    ...(options.reconnectMs !== undefined ? { reconnectMs: options.reconnectMs } : {}),
    onMessage: (payload) => {
      const ids = payload.split(',').filter((id) => UUID.test(id));
      if (ids.length === 0) return;
      onDeliveries(ids).catch((error: Error) =>
        // Redis down: the relay enqueues them once it is back.
        logger.warn({ err: { message: error.message }, count: ids.length }, 'could not enqueue deliveries'),
      );
    },
  });
}
