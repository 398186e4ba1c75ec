import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import { notificationDeliveries, notifications } from '../../db/schema/index.js';
import { metrics } from '../core/metrics.js';
import { queryable, type ServiceContext } from '../core/service-context.js';
import { describeMailError, isBounce, type Mailer } from './mailer.js';
import { type DigestItem, loadFacts, renderDigest } from './notification-content.js';

export interface DigestDeps {
  mailer: Mailer | null;
  publicUrl: string;
  /** Digest runs a held delivery may fail before it is marked failed. */
  maxAttempts: number;
  now?: () => Date;
}

/** Most notifications one digest email lists; the rest wait for the next run. */
const PER_EMAIL = 100;

/**
 * The digest job: every email delivery held for the digest (non-urgent events the person chose to
 * batch) goes out as one email per person, listing them oldest first. Urgent events are never held,
 * so they are never here.
 */
export async function sendDigests(
  ctx: ServiceContext,
  deps: DigestDeps,
): Promise<{ emails: number; delivered: number; failed: number }> {
  const db = queryable(ctx);
  const now = deps.now?.() ?? new Date();
  const rows = await db
    .select({ d: notificationDeliveries, n: notifications })
    .from(notificationDeliveries)
    .innerJoin(notifications, eq(notifications.id, notificationDeliveries.notificationId))
    .where(and(eq(notificationDeliveries.status, 'digest'), eq(notificationDeliveries.channel, 'email')))
    .orderBy(asc(notifications.userId), asc(notifications.createdAt))
    .limit(10_000);
  const groups = new Map<string, typeof rows>();
  for (const row of rows) {
    const key = `${row.n.userId} ${row.d.target}`;
    const group = groups.get(key) ?? [];
    if (group.length < PER_EMAIL) group.push(row);
    groups.set(key, group);
  }

  let emails = 0;
  let delivered = 0;
  let failed = 0;
  for (const group of groups.values()) {
    const ids = group.map((r) => r.d.id);
    const held = and(inArray(notificationDeliveries.id, ids), eq(notificationDeliveries.status, 'digest'));
    if (!deps.mailer) {
      await db
        .update(notificationDeliveries)
        .set({ status: 'failed', lastError: 'email is off: SMTP_URL is not set' })
        .where(held);
      failed += ids.length;
      continue;
    }
    const items: DigestItem[] = [];
    for (const r of group) items.push({ notification: r.n, facts: await loadFacts(db, r.n) });
    try {
      await deps.mailer.send({ to: group[0]!.d.target, ...renderDigest(items, deps.publicUrl, now) });
      await db
        .update(notificationDeliveries)
        .set({
          status: 'sent',
          sentAt: now,
          lastError: null,
          attempts: sql`${notificationDeliveries.attempts} + 1`,
        })
        .where(held);
      emails += 1;
      delivered += ids.length;
    } catch (error) {
      const lastError = describeMailError(error);
      const attempts = Math.max(...group.map((r) => r.d.attempts)) + 1;
      const final = isBounce(error) ? 'bounced' : attempts >= deps.maxAttempts ? 'failed' : null;
      await db
        .update(notificationDeliveries)
        .set({ attempts, lastError, ...(final ? { status: final } : {}) })
        .where(held);
      if (final) {
        metrics.notificationFailures.inc({ channel: 'email' });
        failed += ids.length;
      }
    }
  }
  return { emails, delivered, failed };
}
