import { systemContext } from '../../services/core/service-context.js';
import { ensureDeliveryQueued } from '../../services/notifications/delivery-dispatch.js';
import { findPendingDeliveries } from '../../services/notifications/relay-deliveries.js';
import { handle } from '../job-registry.js';
import type { WorkerDeps } from '../worker-deps.js';
import { deliveryRetry } from './notify.js';

/** Every 30 s: deliveries still pending after 30 s get their notify job again if it was lost. */
export const NOTIFY_RELAY_EVERY_MS = 30_000;
export const NOTIFY_RELAY_AFTER_MS = 30_000;

export const notifyRelayProcessor = (deps: WorkerDeps, afterMs = NOTIFY_RELAY_AFTER_MS) =>
  handle('notify-relay', async () => {
    const ids = await findPendingDeliveries(systemContext(deps.db, 'notification relay'), {
      olderThanMs: afterMs,
      limit: 5_000,
    });
    let requeued = 0;
    for (const deliveryId of ids) {
      if ((await ensureDeliveryQueued(deps.queues, deliveryId, deliveryRetry(deps))) !== 'pending')
        requeued += 1;
    }
    if (requeued) deps.logger.warn({ requeued }, 'relay re-enqueued notification deliveries');
    return { found: ids.length, requeued };
  });
