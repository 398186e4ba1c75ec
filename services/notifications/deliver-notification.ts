import { and, eq, sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import { notificationDeliveries, notifications, schoolWebhooks } from '../../db/schema/index.js';
import { metrics } from '../core/metrics.js';
import type { OutboundPolicy } from '../core/outbound-address.js';
import { pinnedPost } from '../core/pinned-post.js';
import { decryptSecret } from '../core/secret-box.js';
import { queryable, type ServiceContext } from '../core/service-context.js';
import { describeMailError, isBounce, type Mailer } from './mailer.js';
import { loadFacts, renderEmail, slackMessage, teamsMessage } from './notification-content.js';
import { checkWebhookUrl } from './webhook-url.js';

export interface DeliveryDeps {
  /** null: SMTP_URL is unset and the email channel is off. */
  mailer: Mailer | null;
  encryptionKey: Buffer;
  publicUrl: string;
  /** Attempts per delivery; the last failure is final. */
  maxAttempts: number;
  /** Where a webhook may lead (WEBHOOK_ALLOWED_HOSTS), checked again before every post. */
  outbound: OutboundPolicy;
  /** How long a webhook post may take; 10 s unless a test says otherwise. */
  webhookTimeoutMs?: number;
  /** Socket-level reasons go here at debug level, never into the delivery log. */
  logger?: Pick<Logger, 'debug'>;
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
      const url = decryptSecret(deps.encryptionKey, hook.urlEncrypted);
      failure = await postWebhook(url, message, deps, { deliveryId: row.d.id, webhookId: hook.id });
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

/**
 * What the delivery log says of a failed post: refused, or failed with the HTTP status, a timeout
 * or "could not connect". Never the socket's error (refused vs reset, which port), or the log
 * would make a port scanner of a webhook; that detail goes to the debug log.
 */
const WEBHOOK_REFUSED = 'webhook refused (address not allowed)';
const COULD_NOT_CONNECT = 'webhook failed (could not connect)';

async function postWebhook(
  raw: string,
  message: unknown,
  deps: Pick<DeliveryDeps, 'outbound' | 'logger' | 'webhookTimeoutMs'>,
  ids: { deliveryId: string; webhookId: string },
): Promise<Failure | null> {
  // Checked again here, not only when saved: DNS may now answer with an internal address.
  const target = await checkWebhookUrl(raw, deps.outbound);
  if (!target.ok) {
    deps.logger?.debug({ ...ids, why: target.why }, 'webhook not posted');
    return target.refused
      ? { kind: 'final', error: WEBHOOK_REFUSED }
      : { kind: 'retry', error: COULD_NOT_CONNECT };
  }
  const result = await pinnedPost(target.url, target, message, {
    timeoutMs: deps.webhookTimeoutMs ?? 10_000,
  });
  if (!result.ok) {
    deps.logger?.debug({ ...ids, why: result.detail }, 'webhook not reached');
    return { kind: 'retry', error: result.timedOut ? 'webhook failed (timed out)' : COULD_NOT_CONNECT };
  }
  if (result.status >= 200 && result.status < 300) return null;
  return {
    // A redirect is not followed (it could lead anywhere); like a revoked webhook, retrying cannot help.
    kind:
      PERMANENT_HTTP.has(result.status) || (result.status >= 300 && result.status < 400) ? 'final' : 'retry',
    error: `webhook failed (HTTP ${result.status})`,
  };
}
