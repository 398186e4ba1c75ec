import type { Redis } from 'ioredis';
import type { PlatformName } from '../platforms/adapter.js';
import { platformProfile } from '../platforms/platform-profiles.js';

// Where a platform pushes comments by webhook, polling is the backstop. While the app's webhooks
// are healthy — a delivery whose signature checked out arrived within WEBHOOK_HEALTHY_WITHIN_MS —
// an account of that platform is polled at the longer interval; once deliveries stop, at its own.
// The time lives in Redis: losing it only means polling at the shorter interval until the next one.

export const WEBHOOK_HEALTHY_WITHIN_MS = 10 * 60_000;

export interface WebhookHealth {
  healthy: boolean;
  /** the newest verified delivery for the app; null: none seen (or Redis lost it) */
  lastDeliveryAt: Date | null;
}

export interface WebhookHealthStore {
  recordVerifiedDelivery(at?: Date): Promise<void>;
  read(now?: Date): Promise<WebhookHealth>;
}

/** One Meta app per installation; the key names it so a change of app starts unhealthy. */
export function redisWebhookHealth(redis: Redis, prefix: string, appId: string): WebhookHealthStore {
  const key = `${prefix}:webhook-health:meta:${appId}`;
  return {
    async recordVerifiedDelivery(at = new Date()) {
      await redis.set(key, String(at.getTime()), 'PX', WEBHOOK_HEALTHY_WITHIN_MS * 6);
    },
    async read(now = new Date()) {
      const raw = await redis.get(key);
      const ms = raw === null ? Number.NaN : Number(raw);
      if (!Number.isFinite(ms)) return { healthy: false, lastDeliveryAt: null };
      return { healthy: now.getTime() - ms <= WEBHOOK_HEALTHY_WITHIN_MS, lastDeliveryAt: new Date(ms) };
    },
  };
}

export interface PollIntervalSettings {
  /** POLL_INTERVAL_SECONDS */
  defaultIntervalSeconds: number;
  /** META_POLL_INTERVAL_SECONDS_WITH_WEBHOOKS; null when the platform's webhooks are not configured */
  withWebhooksSeconds: number | null;
}

export interface PollIntervalInUse {
  seconds: number;
  /** 'webhooks': the longer backstop interval, because deliveries are arriving */
  why: 'account' | 'default' | 'webhooks';
  /** for a platform that pushes: its webhooks' health; null for one that does not */
  webhooks: WebhookHealth | null;
}

/** The seconds between polls of an account now, and why. */
export function pollIntervalInUse(
  account: { platform: PlatformName; settings: { pollIntervalSeconds?: number | undefined } },
  settings: PollIntervalSettings,
  health: WebhookHealth | null,
): PollIntervalInUse {
  const own = account.settings.pollIntervalSeconds;
  const base: PollIntervalInUse = {
    seconds: own ?? settings.defaultIntervalSeconds,
    why: own === undefined ? 'default' : 'account',
    webhooks: null,
  };
  if (!platformProfile(account.platform).webhooks || settings.withWebhooksSeconds === null) return base;
  const webhooks = health ?? { healthy: false, lastDeliveryAt: null };
  if (!webhooks.healthy || settings.withWebhooksSeconds <= base.seconds) return { ...base, webhooks };
  return { seconds: settings.withWebhooksSeconds, why: 'webhooks', webhooks };
}

/**
 * The poll scheduler ticks at the account's own interval; while webhooks are healthy a tick within
 * the longer interval of the last poll is skipped (a tick's worth early counts as due, so the gap
 * is never more than the longer interval plus one tick).
 */
export function backstopPollDue(
  lastPolledAt: Date | null,
  interval: PollIntervalInUse,
  tickSeconds: number,
  now: Date = new Date(),
): boolean {
  if (interval.why !== 'webhooks' || lastPolledAt === null) return true;
  const dueAt = lastPolledAt.getTime() + (interval.seconds - tickSeconds / 2) * 1000;
  return now.getTime() >= dueAt;
}
