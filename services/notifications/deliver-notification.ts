import { and, eq, sql } from 'drizzle-orm';
import { notificationDeliveries, notifications, schoolWebhooks } from '../../db/schema/index.js';
import { metrics } from '../core/metrics.js';
import { decryptSecret } from '../core/secret-box.js';
import { queryable, type ServiceContext } from '../core/service-context.js';
import { describeMailError, isBounce, type Mailer } from './mailer.js';
import { loadFacts, renderEmail, slackMessage, teamsMessage } from './notification-content.js';

export interface DeliveryDeps {
  /** null: SMTP_URL is unset and the email channel is off. */
  mailer: Mailer | null;
  encryptionKey: Buffer;
  publicUrl: string;
  /** Attempts per delivery; the last failure is final. */
  maxAttempts: number;
  now?: () => Date;
}

export type DeliveryOutcome =
  | { status: 'sent' | 'bounced' | 'failed'; attempts: number }
  | { status: 'skipped'; reason: string };

/** A failure worth another attempt; BullMQ retries the job with backoff. */
export class DeliveryRetry extends Error {
  override name = 'DeliveryRetry';
}

type Failure = { kind: 'bounced' | 'final' | 'retry'; error: string; counted?: boolean };

/** HTTP answers that mean the webhook is gone or refuses us: retrying cannot help. */
const PERMANENT_HTTP = new Set([400, 401, 403, 404, 410]);

/**
 * Sends one delivery (an email, or a post to a school's Teams or Slack webhook) and records the
 * outcome on its row: sent; bounced (the mail server refused the address); or, after the last
 * attempt, failed with the reason. Only a pending delivery is sent, so a retried job never sends
 * twice what was recorded as sent. Nothing here logs or records a webhook URL.
 */
export async function deliverNotification(
  ctx: ServiceContext,
  input: { deliveryId: string },
  deps: DeliveryDeps,
): Promise<DeliveryOutcome> {
  const db = queryable(ctx);
  const now = deps.now?.() ?? new Date();
  const [row] = await db
    .select({ d: notificationDeliveries, n: notifications })
    .from(notificationDeliveries)
    .innerJoin(notifications, eq(notifications.id, notificationDeliveries.notificationId))
    .where(eq(notificationDeliveries.id, input.deliveryId));
  if (!row) return { status: 'skipped', reason: 'no such delivery' };
  if (row.d.status !== 'pending') return { status: 'skipped', reason: `delivery is ${row.d.status}` };
  const attempts = row.d.attempts + 1;
  const facts = await loadFacts(db, row.n);

  let failure: Failure | null = null;
  let webhookId: string | null = null;
  if (row.d.channel === 'email') {
    if (!deps.mailer) {
      failure = { kind: 'final', error: 'email is off: SMTP_URL is not set', counted: false };
    } else {
      try {
        await deps.mailer.send({ to: row.d.target, ...renderEmail(row.n, facts, deps.publicUrl, now) });
      } catch (error) {
        failure = { kind: isBounce(error) ? 'bounced' : 'retry', error: describeMailError(error) };
      }
    }
  } else {
    webhookId = row.d.target;
    const [hook] = await db.select().from(schoolWebhooks).where(eq(schoolWebhooks.id, row.d.target));
    if (!hook?.enabled) {
      failure = { kind: 'final', error: 'the webhook was removed or disabled', counted: false };
      webhookId = null;
    } else {
      const message =
        hook.kind === 'slack'
          ? slackMessage(row.n, facts, deps.publicUrl, now)
          : teamsMessage(row.n, facts, deps.publicUrl, now);
      failure = await postWebhook(decryptSecret(deps.encryptionKey, hook.urlEncrypted), message);
    }
  }

  const where = and(eq(notificationDeliveries.id, row.d.id), eq(notificationDeliveries.status, 'pending'));
  if (!failure) {
    await db
      .update(notificationDeliveries)
      .set({ status: 'sent', attempts, sentAt: now, lastError: null })
      .where(where);
    if (webhookId) {
      await db.update(schoolWebhooks).set({ consecutiveFailures: 0 }).where(eq(schoolWebhooks.id, webhookId));
    }
    return { status: 'sent', attempts };
  }
  if (failure.kind === 'retry' && attempts < deps.maxAttempts) {
    await db.update(notificationDeliveries).set({ attempts, lastError: failure.error }).where(where);
    throw new DeliveryRetry(failure.error);
  }
  const status = failure.kind === 'bounced' ? 'bounced' : 'failed';
  await db.update(notificationDeliveries).set({ status, attempts, lastError: failure.error }).where(where);
  if (failure.counted !== false) metrics.notificationFailures.inc({ channel: row.d.channel });
  if (webhookId) {
    await db
      .update(schoolWebhooks)
      .set({ consecutiveFailures: sql`${schoolWebhooks.consecutiveFailures} + 1`, lastFailureAt: now })
      .where(eq(schoolWebhooks.id, webhookId));
  }
  return { status, attempts };
}

async function postWebhook(url: string, message: unknown): Promise<Failure | null> {
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(message),
      redirect: 'error',
      signal: AbortSignal.timeout(10_000),
    });
    await response.body?.cancel();
    if (response.ok) return null;
    return {
      kind: PERMANENT_HTTP.has(response.status) ? 'final' : 'retry',
      error: `webhook answered HTTP ${response.status}`,
    };
  } catch (error) {
    // The cause names the failure (refused, timed out); the URL is never repeated.
    const e = error as { name?: string; cause?: { code?: string } };
    const why = e.name === 'TimeoutError' ? 'timed out' : (e.cause?.code ?? 'network error');
    return { kind: 'retry', error: `webhook not reached: ${why}` };
  }
}
