import type { JobsOptions } from 'bullmq';
import type pg from 'pg';
import type { Logger } from 'pino';
import type { Database } from '../../db/client.js';
import { JOBS } from '../../workers/job-registry.js';
import type { Queues } from '../../workers/queues.js';
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
 * For the relay: makes sure a pending delivery has a live job. A job that is waiting, delayed
 * (backing off) or running is left alone; a failed one is retried; a missing or completed one is
 * added again.
 */
export async function ensureDeliveryQueued(
  queues: Pick<Queues, 'notify'>,
  deliveryId: string,
  retry: DeliveryRetry,
): Promise<'added' | 'retried' | 'pending'> {
  const id = JOBS.notify.jobId({ deliveryId });
  const existing = await queues.notify.getJob(id);
  if (existing) {
    const state = await existing.getState();
    if (state === 'failed') {
      await existing.retry('failed');
      return 'retried';
    }
    if (state !== 'completed' && state !== 'unknown') return 'pending';
    await existing.remove().catch(() => {});
  }
  await queues.notify.add('notify', { deliveryId }, { jobId: id, ...notifyJobOptions(retry) });
  return 'added';
}

export interface DeliveryListener {
  close(): Promise<void>;
}

/**
 * Holds one pooled connection LISTENing for deliveries committed by notifyUsers and hands their ids
 * to `onDeliveries` (which enqueues them). A dropped connection is replaced; anything announced
 * while it was down is found by the relay.
 */
export async function startDeliveryListener(options: {
  db: Database;
  logger: Logger;
  onDeliveries: (ids: string[]) => Promise<void>;
  reconnectMs?: number;
}): Promise<DeliveryListener> {
  const { db, logger, onDeliveries } = options;
  let client: pg.PoolClient | null = null;
  let closed = false;
  let timer: NodeJS.Timeout | undefined;

  const retryLater = () => {
    if (closed || timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      void connect();
    }, options.reconnectMs ?? 5_000);
    timer.unref();
  };
  const drop = (c: pg.PoolClient) => {
    if (client !== c) return;
    client = null;
    c.removeAllListeners('notification');
    c.release(true);
    retryLater();
  };
  async function connect(): Promise<void> {
    if (closed) return;
    let c: pg.PoolClient | undefined;
    try {
      c = await db.$client.connect();
      const mine = c;
      client = mine;
      mine.on('error', (error) => {
        logger.warn({ err: { message: error.message } }, 'notification listener lost its connection');
        drop(mine);
      });
      mine.on('end', () => drop(mine));
      mine.on('notification', (message) => {
        if (message.channel !== DELIVERY_CHANNEL || !message.payload) return;
        const ids = message.payload.split(',').filter((id) => UUID.test(id));
        if (ids.length === 0) return;
        onDeliveries(ids).catch((error: Error) =>
          // Redis down: the relay enqueues them once it is back.
          logger.warn({ err: { message: error.message }, count: ids.length }, 'could not enqueue deliveries'),
        );
      });
      await mine.query(`listen ${DELIVERY_CHANNEL}`);
    } catch (error) {
      logger.warn({ err: { message: (error as Error).message } }, 'notification listener could not connect');
      if (c) drop(c);
      else retryLater();
    }
  }
  await connect();
  return {
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      const c = client;
      client = null;
      if (!c) return;
      c.removeAllListeners('notification');
      try {
        await c.query(`unlisten ${DELIVERY_CHANNEL}`);
        c.release();
      } catch {
        c.release(true);
      }
    },
  };
}
