import type { Logger } from 'pino';
import type { Config } from '../config/load-config.js';
import type { Database } from '../db/client.js';
import { buildExternalTiers, checkExternalTierAddresses } from '../services/classification/external-tiers.js';
import { SchoolClassifierCache } from '../services/classification/school-classifier-cache.js';
import { createWorkerRedis } from '../services/core/redis-connections.js';
import { queueDeadlineTimers } from '../services/deadlines/deadline-timers.js';
import { redisWebhookHealth } from '../services/ingestion/webhook-health.js';
import type { AdapterFactory } from '../services/platforms/adapter-factory.js';
import { createAdapterFactory } from '../services/platforms/create-adapter-factory.js';
import type { HandlerRegistration } from './job-registry.js';
import { createPollScheduler } from './poll-schedulers.js';
import { createProcessingSteps } from './processing-steps.js';
import {
  AUDIT_CHECKPOINT_PATTERN,
  auditCheckpointProcessor,
  auditWitnessProcessor,
} from './processors/audit-checkpoint.js';
import { deadlineBreachProcessor } from './processors/deadline-breach.js';
import { deadlineSweepProcessor, SWEEP_EVERY_MS } from './processors/deadline-sweep.js';
import { deadlineWarningProcessor } from './processors/deadline-warning.js';
import { executeActionProcessor, queueActionDispatch } from './processors/execute-action.js';
import { EXPIRE_PROPOSALS_EVERY_MS, expireProposalsProcessor } from './processors/expire-proposals.js';
import { fetchMentionProcessor } from './processors/fetch-mention.js';
import { GOVERNANCE_CHECK_EVERY_MS, governanceCheckProcessor } from './processors/governance-check.js';
import { MONITORING_CHECK_PATTERN, monitoringCheckProcessor } from './processors/monitoring-check.js';
import { notifyProcessor, startNotificationDelivery } from './processors/notify.js';
import { digestEveryMs, notifyDigestProcessor } from './processors/notify-digest.js';
import { NOTIFY_RELAY_EVERY_MS, notifyRelayProcessor } from './processors/notify-relay.js';
import { pollAccountProcessor } from './processors/poll-account.js';
import { processCommentProcessor } from './processors/process-comment.js';
import { REPLY_RELAY_EVERY_MS, relayRepliesProcessor } from './processors/relay-replies.js';
import { RELAY_EVERY_MS, relayUnprocessedProcessor } from './processors/relay-unprocessed.js';
import { RETENTION_PATTERN, retentionProcessor } from './processors/retention.js';
import { sendReplyProcessor } from './processors/send-reply.js';
import { createQueues } from './queues.js';
import { startSchedulerWatchdog } from './scheduler-watchdog.js';
import { type RunningWorkers, startWorkers } from './start-workers.js';
import type { WorkerDeps } from './worker-deps.js';

export interface WorkerRuntimeOptions {
  config: Config;
  db: Database;
  logger: Logger;
  adapterFor?: AdapterFactory;
  /** Overrides for tests: a shorter relay age, say. */
  relayAfterMs?: number;
  /** Overrides for tests: how long a public reply stays `sending` before its job is re-added. */
  replyRelayAfterMs?: number;
  /** Overrides for tests: how long a job stays locked to a worker that stopped answering. */
  lockDurationMs?: number;
  queues?: readonly string[];
  /** How often to check that Redis still holds the schedulers (default 15 s). */
  watchdogEveryMs?: number;
}

export interface WorkerRuntime {
  deps: WorkerDeps;
  workers: RunningWorkers;
  close(): Promise<void>;
}

export function handlerRegistrations(
  deps: WorkerDeps,
  adapterFor: AdapterFactory,
  relayAfterMs?: number,
  replyRelayAfterMs?: number,
): HandlerRegistration[] {
  return [
    pollAccountProcessor(deps, adapterFor),
    fetchMentionProcessor(deps, adapterFor),
    processCommentProcessor(deps),
    relayUnprocessedProcessor(deps, relayAfterMs),
    governanceCheckProcessor(deps),
    executeActionProcessor(deps, adapterFor),
    expireProposalsProcessor(deps),
    deadlineWarningProcessor(deps),
    deadlineBreachProcessor(deps),
    deadlineSweepProcessor(deps),
    sendReplyProcessor(deps, adapterFor),
    relayRepliesProcessor(deps, replyRelayAfterMs),
    auditCheckpointProcessor(deps),
    auditWitnessProcessor(deps),
    retentionProcessor(deps),
    monitoringCheckProcessor(deps),
    notifyProcessor(deps),
    notifyRelayProcessor(deps),
    notifyDigestProcessor(deps),
  ];
}

/**
 * The worker process: every processor, the periodic maintenance jobs, and a poll scheduler for
 * every active account, reconciled from Postgres at start-up (Redis may have lost them).
 */
export async function startWorkerRuntime(options: WorkerRuntimeOptions): Promise<WorkerRuntime> {
  const { config, db, logger } = options;
  // An outside classifier's host is resolved once here: a name that leads somewhere refused stops start-up.
  await checkExternalTierAddresses(config.externalClassification);
  const producer = createWorkerRedis(config.redisUrl);
  const queues = createQueues(producer, config.redisPrefix);
  const pollScheduler = createPollScheduler(queues);
  const deps: WorkerDeps = {
    config,
    db,
    queues,
    logger,
    processingSteps: createProcessingSteps({
      classifiers: new SchoolClassifierCache(config.encryptionKey),
      externalTiers: buildExternalTiers(config.externalClassification),
      deadlineTimers: queueDeadlineTimers(queues),
      actionDispatch: queueActionDispatch(queues),
    }),
    pollScheduler,
    ...(config.meta
      ? { webhookHealth: redisWebhookHealth(producer, config.redisPrefix, config.meta.appId) }
      : {}),
  };
  const adapterFor = options.adapterFor ?? createAdapterFactory(config);
  const workers = startWorkers({
    redisUrl: config.redisUrl,
    prefix: config.redisPrefix,
    registrations: handlerRegistrations(deps, adapterFor, options.relayAfterMs, options.replyRelayAfterMs),
    logger,
    concurrency: config.workerConcurrency,
    ...(options.queues ? { queues: options.queues } : {}),
    ...(options.lockDurationMs ? { lockDurationMs: options.lockDurationMs } : {}),
  });
  await queues.maintenance.upsertJobScheduler(
    'relay-unprocessed',
    { every: RELAY_EVERY_MS },
    { name: 'relay-unprocessed', data: {} },
  );
  await queues.maintenance.upsertJobScheduler(
    'relay-replies',
    { every: REPLY_RELAY_EVERY_MS },
    { name: 'relay-replies', data: {} },
  );
  await queues.maintenance.upsertJobScheduler(
    'deadline-sweep',
    { every: SWEEP_EVERY_MS },
    { name: 'deadline-sweep', data: {} },
  );
  await queues.maintenance.upsertJobScheduler(
    'governance-check',
    { every: GOVERNANCE_CHECK_EVERY_MS },
    { name: 'governance-check', data: {} },
  );
  await queues.maintenance.upsertJobScheduler(
    'expire-proposals',
    { every: EXPIRE_PROPOSALS_EVERY_MS },
    { name: 'expire-proposals', data: {} },
  );
  await queues.maintenance.upsertJobScheduler(
    'audit-checkpoint',
    { pattern: AUDIT_CHECKPOINT_PATTERN, tz: 'Europe/London' },
    { name: 'audit-checkpoint', data: { kind: 'daily' } },
  );
  // The unwitnessed tail of the log (entries after the last signed checkpoint) stays this short.
  await queues.maintenance.upsertJobScheduler(
    'audit-checkpoint-interval',
    { every: config.auditCheckpointMinutes * 60_000 },
    { name: 'audit-checkpoint', data: { kind: 'interval' } },
  );
  await queues.maintenance.upsertJobScheduler(
    'retention',
    { pattern: RETENTION_PATTERN, tz: 'Europe/London' },
    { name: 'retention', data: {} },
  );
  await queues.maintenance.upsertJobScheduler(
    'monitoring-check',
    { pattern: MONITORING_CHECK_PATTERN, tz: 'Europe/London' },
    { name: 'monitoring-check', data: {} },
  );
  if (!config.auditSigningKey) {
    logger.warn('AUDIT_SIGNING_KEY is not set: audit checkpoints will be skipped (see docs/audit.md)');
  } else {
    logger.info(
      {
        everyMinutes: config.auditCheckpointMinutes,
        ...(config.auditSigningKeySource === 'file' ? { keyFile: config.auditSigningKeyFile } : {}),
      },
      'audit checkpoints are signed',
    );
  }
  await queues.maintenance.upsertJobScheduler(
    'notify-relay',
    { every: NOTIFY_RELAY_EVERY_MS },
    { name: 'notify-relay', data: {} },
  );
  await queues.maintenance.upsertJobScheduler(
    'notify-digest',
    { every: digestEveryMs(deps) },
    { name: 'notify-digest', data: {} },
  );
  // Deliveries committed by notifyUsers are enqueued by whichever process serves the notify queue.
  const notifyListener =
    !options.queues || options.queues.includes('notify') ? await startNotificationDelivery(deps) : null;
  const reconciled = await pollScheduler.reconcile(db, config.pollIntervalSeconds);
  const watchdog = await startSchedulerWatchdog({
    queues,
    pollScheduler,
    db,
    defaultPollIntervalSeconds: config.pollIntervalSeconds,
    logger,
    ...(options.watchdogEveryMs ? { everyMs: options.watchdogEveryMs } : {}),
  });
  logger.info({ accounts: reconciled.started }, 'workers started');
  return {
    deps,
    workers,
    async close() {
      watchdog.stop();
      await notifyListener?.close();
      await workers.close();
      await queues.close();
      producer.disconnect();
    },
  };
}
