import { outboundPolicy } from '../../services/core/outbound-address.js';
import { systemContext } from '../../services/core/service-context.js';
import { deliverNotification } from '../../services/notifications/deliver-notification.js';
import {
  type DeliveryListener,
  type DeliveryRetry,
  queueDeliveries,
  startDeliveryListener,
} from '../../services/notifications/delivery-dispatch.js';
import { createMailer } from '../../services/notifications/mailer.js';
import { handle } from '../job-registry.js';
import type { WorkerDeps } from '../worker-deps.js';

export const deliveryRetry = (deps: WorkerDeps): DeliveryRetry => ({
  attempts: deps.config.notifications.attempts,
  backoffMs: deps.config.notifications.backoffMs,
});

/**
 * Sends one email or webhook post. A transient failure throws and BullMQ retries with exponential
 * backoff; the verb records the last attempt's failure (or a bounce) on the delivery row.
 */
export const notifyProcessor = (deps: WorkerDeps) => {
  const mailer = createMailer(deps.config.notifications);
  const outbound = outboundPolicy(deps.config.webhookAllowedHosts);
  return handle('notify', async (data, job) =>
    deliverNotification(systemContext(deps.db, 'notifier', job.jobId), data, {
      mailer,
      encryptionKey: deps.config.encryptionKey,
      publicUrl: deps.config.publicUrl,
      maxAttempts: deps.config.notifications.attempts,
      outbound,
      logger: deps.logger,
    }),
  );
};

/**
 * Enqueues deliveries as soon as their transaction commits (Postgres LISTEN); the relay covers
 * whatever this misses.
 */
export async function startNotificationDelivery(deps: WorkerDeps): Promise<DeliveryListener> {
  if (!deps.config.notifications.smtpUrl) {
    deps.logger.info('email notifications are off: SMTP_URL is not set (in-app and webhooks still work)');
  }
  return startDeliveryListener({
    db: deps.db,
    logger: deps.logger,
    onDeliveries: (ids) => queueDeliveries(deps.queues, ids, deliveryRetry(deps)),
  });
}
