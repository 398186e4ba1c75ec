import type { Logger } from 'pino';
import type { Config } from '../config/load-config.js';
import type { Database } from '../db/client.js';
import type { ProcessingStep } from '../services/ingestion/processing-pipeline.js';
import type { WebhookHealthStore } from '../services/ingestion/webhook-health.js';
import type { PollScheduler } from './poll-schedulers.js';
import type { Queues } from './queues.js';

/** What processors are given. Built once per process by the entrypoint (or a test). */
export interface WorkerDeps {
  config: Config;
  db: Database;
  queues: Queues;
  logger: Logger;
  processingSteps: readonly ProcessingStep[];
  pollScheduler: PollScheduler;
  /** Meta's webhook health (set when Meta is configured): healthy webhooks lengthen the backstop poll. */
  webhookHealth?: WebhookHealthStore;
}
