import type { Logger } from 'pino';
import type { Config } from '../config/load-config.js';
import type { Database } from '../db/client.js';
import { SchoolClassifierCache } from '../services/classification/school-classifier-cache.js';
import { createWorkerRedis } from '../services/core/redis-connections.js';
import { queueDeadlineTimers } from '../services/deadlines/deadline-timers.js';
import type { AdapterFactory } from '../services/platforms/adapter-factory.js';
import { createAdapterFactory } from '../services/platforms/create-adapter-factory.js';
import type { HandlerRegistration } from './job-registry.js';
import { createPollScheduler } from './poll-schedulers.js';
import { createProcessingSteps } from './processing-steps.js';
import { deadlineBreachProcessor } from './processors/deadline-breach.js';
import { deadlineSweepProcessor, SWEEP_EVERY_MS } from './processors/deadline-sweep.js';
import { deadlineWarningProcessor } from './processors/deadline-warning.js';
import { executeActionProcessor } from './processors/execute-action.js';
import { EXPIRE_PROPOSALS_EVERY_MS, expireProposalsProcessor } from './processors/expire-proposals.js';
import { GOVERNANCE_CHECK_EVERY_MS, governanceCheckProcessor } from './processors/governance-check.js';
import { pollAccountProcessor } from './processors/poll-account.js';
import { processCommentProcessor } from './processors/process-comment.js';
import { RELAY_EVERY_MS, relayUnprocessedProcessor } from './processors/relay-unprocessed.js';
import { sendReplyProcessor } from './processors/send-reply.js';
import { createQueues } from './queues.js';
import { type RunningWorkers, startWorkers } from './start-workers.js';
import type { WorkerDeps } from './worker-deps.js';

export interface WorkerRuntimeOptions {
  config: Config;
  db: Database;
  logger: Logger;
  adapterFor?: AdapterFactory;
  /** Overrides for tests: a shorter relay age, say. */
  relayAfterMs?: number;
  queues?: readonly string[];
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
): HandlerRegistration[] {
  return [
    pollAccountProcessor(deps, adapterFor),
    processCommentProcessor(deps),
    relayUnprocessedProcessor(deps, relayAfterMs),
    governanceCheckProcessor(deps),
    executeActionProcessor(deps, adapterFor),
    expireProposalsProcessor(deps),
    deadlineWarningProcessor(deps),
    deadlineBreachProcessor(deps),
    deadlineSweepProcessor(deps),
    sendReplyProcessor(deps, adapterFor),
  ];
}

/**
 * The worker process: every processor, the periodic maintenance jobs, and a poll scheduler for
 * every active account, reconciled from Postgres at start-up (Redis may have lost them).
 */
export async function startWorkerRuntime(options: WorkerRuntimeOptions): Promise<WorkerRuntime> {
  const { config, db, logger } = options;
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
      deadlineTimers: queueDeadlineTimers(queues),
    }),
    pollScheduler,
  };
  const adapterFor = options.adapterFor ?? createAdapterFactory(config);
  const workers = startWorkers({
    redisUrl: config.redisUrl,
    prefix: config.redisPrefix,
    registrations: handlerRegistrations(deps, adapterFor, options.relayAfterMs),
    logger,
    concurrency: config.workerConcurrency,
    ...(options.queues ? { queues: options.queues } : {}),
  });
  await queues.maintenance.upsertJobScheduler(
    'relay-unprocessed',
    { every: RELAY_EVERY_MS },
    { name: 'relay-unprocessed', data: {} },
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
  const reconciled = await pollScheduler.reconcile(db, config.pollIntervalSeconds);
  logger.info({ accounts: reconciled.started }, 'workers started');
  return {
    deps,
    workers,
    async close() {
      await workers.close();
      await queues.close();
      producer.disconnect();
    },
  };
}
