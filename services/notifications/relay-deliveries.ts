import { and, asc, eq, lt } from 'drizzle-orm';
import { notificationDeliveries } from '../../db/schema/index.js';
import { queryable, type ServiceContext } from '../core/service-context.js';

/**
 * Deliveries still pending a while after they were recorded: their announcement or their job may
 * have been lost (the worker down at commit, Redis flushed). The relay makes sure each has a job.
 */
export async function findPendingDeliveries(
  ctx: ServiceContext,
  options: { olderThanMs: number; limit: number; now?: Date },
): Promise<string[]> {
  const before = new Date((options.now ?? new Date()).getTime() - options.olderThanMs);
  const rows = await queryable(ctx)
    .select({ id: notificationDeliveries.id })
    .from(notificationDeliveries)
    .where(and(eq(notificationDeliveries.status, 'pending'), lt(notificationDeliveries.createdAt, before)))
    .orderBy(asc(notificationDeliveries.createdAt))
    .limit(options.limit);
  return rows.map((r) => r.id);
}
