import type { FastifyInstance } from 'fastify';
import { queueActionDispatch } from '../../workers/processors/execute-action.js';
import type { AccountPolling } from '../accounts/account-polling.js';
import type { BlueskyConnectDeps } from '../accounts/connect-bluesky.js';
import { type FacebookConnectDeps, redisPagePickerStore } from '../accounts/connect-facebook.js';
import { redisConnectStateStore } from '../accounts/connect-state-store.js';
import type { ConnectDeps } from '../accounts/start-connect.js';
import { buildExternalTiers, type ExternalTiers } from '../classification/external-tiers.js';
import { queueCommentEffects } from '../comments/comment-effects.js';
import type { RespondEffects } from '../comments/respond.js';
import type { DeadlineTimers } from '../deadlines/deadline-timers.js';
import {
  type PollIntervalSettings,
  redisWebhookHealth,
  type WebhookHealthStore,
} from '../ingestion/webhook-health.js';
import { createXOAuth } from '../platforms/x/x-oauth.js';

/**
 * What the routes do their work with, built once at start-up (the composition root) and handed to
 * every route file as `app.deps`. A route file never builds its own queue effects, dispatch or
 * OAuth client.
 */
export interface AppDeps {
  /** After-commit effects of triage verbs (timers, sending a reply) and the outgoing check. */
  commentEffects: RespondEffects;
  /** Deadline timers alone (calendar changes re-time open comments). */
  timers: DeadlineTimers;
  /** Queues an approved moderation action for the action worker. */
  actionDispatch: ReturnType<typeof queueActionDispatch>;
  /** Starts and stops an account's polling. */
  polling: AccountPolling;
  /** Connecting an account to X: the one OAuth client, the state store and the callback. */
  xConnect: ConnectDeps;
  /** Connecting a Facebook Page or Instagram account: Facebook Login and the Page picker. */
  facebookConnect: FacebookConnectDeps;
  /** Connecting a Bluesky account: its handle and an app password, checked against BLUESKY_SERVICE_URL. */
  blueskyConnect: BlueskyConnectDeps;
  /** How often each account is polled now: longer while the platform's webhooks are delivering. */
  pollIntervals: { settings: PollIntervalSettings; health: WebhookHealthStore };
  /** The outside classification tiers configured (their hosts, for the trust admin's choice). */
  externalTiers: ExternalTiers;
}

declare module 'fastify' {
  interface FastifyInstance {
    deps: AppDeps;
  }
}

/** Fails start-up when any dependency is missing, rather than a route silently skipping work. */
export function assertComplete(deps: AppDeps): AppDeps {
  const missing = Object.entries(deps)
    .filter(([, value]) => value === undefined || value === null)
    .map(([name]) => name);
  if (missing.length) throw new Error(`Start-up: missing route dependencies: ${missing.join(', ')}`);
  return deps;
}

/** Builds the routes' dependencies from the app's queues, Redis and config; closes what it opened. */
export function decorateAppDeps(app: FastifyInstance): void {
  const { config } = app;
  const oauth = createXOAuth({
    clientId: config.x.clientId,
    ...(config.x.clientSecret ? { clientSecret: config.x.clientSecret } : {}),
    ...(config.x.apiBaseUrl ? { apiBaseUrl: config.x.apiBaseUrl } : {}),
  });
  app.addHook('onClose', async () => oauth.close());
  const effects = queueCommentEffects(app.queues);
  const deps = assertComplete({
    commentEffects: { ...effects, classifiers: app.classifiers },
    timers: effects.timers,
    actionDispatch: queueActionDispatch(app.queues),
    polling: { scheduler: app.pollScheduler, defaultIntervalSeconds: config.pollIntervalSeconds },
    xConnect: {
      oauth,
      states: redisConnectStateStore(app.redis, config.redisPrefix),
      redirectUri: `${config.publicUrl}/api/accounts/connect/callback`,
      encryptionKey: config.encryptionKey,
    },
    facebookConnect: {
      meta: config.meta ?? null,
      states: redisConnectStateStore(app.redis, config.redisPrefix),
      pickers: redisPagePickerStore(app.redis, config.redisPrefix, config.encryptionKey),
      redirectUri: `${config.publicUrl}/api/accounts/connect/facebook/callback`,
      encryptionKey: config.encryptionKey,
    },
    blueskyConnect: { serviceUrl: config.bluesky.serviceUrl, encryptionKey: config.encryptionKey },
    pollIntervals: {
      settings: {
        defaultIntervalSeconds: config.pollIntervalSeconds,
        withWebhooksSeconds: config.meta?.pollIntervalSecondsWithWebhooks ?? null,
      },
      // Without Meta nothing is delivered and withWebhooksSeconds is null: the store is never healthy.
      health: redisWebhookHealth(app.redis, config.redisPrefix, config.meta?.appId ?? 'none'),
    },
    externalTiers: buildExternalTiers(config.externalClassification),
  });
  app.decorate('deps', deps);
}
