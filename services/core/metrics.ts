import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** One registry per process; /metrics serves it. Labels never carry comment text or handles. */
export const metricsRegistry = new Registry();

export const metrics = {
  externalClassification: new Counter({
    name: 'hallmonitor_external_classification_total',
    help: 'Comments offered to an outside classification tier (moderation endpoint, guard model), by outcome: answered, timeout, external_down, invalid_response, breaker_open',
    labelNames: ['tier', 'outcome'] as const,
    registers: [metricsRegistry],
  }),
  polls: new Counter({
    name: 'hallmonitor_polls_total',
    help: 'Polls of platform accounts, by outcome',
    labelNames: ['platform', 'outcome'] as const,
    registers: [metricsRegistry],
  }),
  pollPages: new Counter({
    name: 'hallmonitor_poll_pages_total',
    help: 'Pages fetched and committed by polls',
    labelNames: ['platform'] as const,
    registers: [metricsRegistry],
  }),
  commentsIngested: new Counter({
    name: 'hallmonitor_comments_ingested_total',
    help: 'New comments stored',
    labelNames: ['platform'] as const,
    registers: [metricsRegistry],
  }),
  platformCalls: new Counter({
    name: 'hallmonitor_platform_calls_total',
    help: 'Calls to platform APIs, by endpoint and status class',
    labelNames: ['platform', 'endpoint', 'status'] as const,
    registers: [metricsRegistry],
  }),
  rateLimitWaits: new Counter({
    name: 'hallmonitor_rate_limit_waits_total',
    help: 'Polls deferred because an endpoint was rate-limited',
    labelNames: ['platform'] as const,
    registers: [metricsRegistry],
  }),
  pollsSkipped: new Counter({
    name: 'hallmonitor_polls_skipped_total',
    help: 'Scheduled polls skipped: webhooks_healthy (the platform is delivering, the backstop poll is not due)',
    labelNames: ['platform', 'reason'] as const,
    registers: [metricsRegistry],
  }),
  pollFailures: new Counter({
    name: 'hallmonitor_poll_failures_total',
    help: 'Polls that failed, by kind',
    labelNames: ['platform', 'kind'] as const,
    registers: [metricsRegistry],
  }),
  itemsQuarantined: new Counter({
    name: 'hallmonitor_items_quarantined_total',
    help: 'Fetched items that failed validation on their own and were kept aside, the rest of the page stored',
    labelNames: ['platform'] as const,
    registers: [metricsRegistry],
  }),
  webhookDeliveries: new Counter({
    name: 'hallmonitor_webhook_deliveries_total',
    help: 'Platform webhook deliveries by outcome (ok, bad_signature, malformed, no_config)',
    labelNames: ['platform', 'outcome'] as const,
    registers: [metricsRegistry],
  }),
  processingLag: new Histogram({
    name: 'hallmonitor_processing_lag_seconds',
    help: 'Seconds from a comment being stored to its processing finishing',
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300],
    registers: [metricsRegistry],
  }),
  actionsByOutcome: new Counter({
    name: 'hallmonitor_actions_total',
    help: 'Moderation action attempts on platforms, by kind and outcome',
    labelNames: ['platform', 'kind', 'outcome'] as const,
    registers: [metricsRegistry],
  }),
  notificationFailures: new Counter({
    name: 'hallmonitor_notification_failures_total',
    help: 'Notification deliveries that failed for good (after the last attempt) or bounced, by channel',
    labelNames: ['channel'] as const,
    registers: [metricsRegistry],
  }),
  deadlineWarnings: new Counter({
    name: 'hallmonitor_deadline_warnings_total',
    help: 'Comments warned at 75% of their response window (committed)',
    registers: [metricsRegistry],
  }),
  deadlineBreaches: new Counter({
    name: 'hallmonitor_deadline_breaches_total',
    help: 'Comments marked breached at their deadline (committed)',
    registers: [metricsRegistry],
  }),
  jobDuration: new Histogram({
    name: 'hallmonitor_job_duration_seconds',
    help: 'Seconds a job ran in a worker, by queue, job and outcome',
    labelNames: ['queue', 'job', 'outcome'] as const,
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [metricsRegistry],
  }),
  jobWait: new Histogram({
    name: 'hallmonitor_job_wait_seconds',
    help: 'Seconds from a job becoming due to a worker starting it, by queue',
    labelNames: ['queue'] as const,
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
    registers: [metricsRegistry],
  }),
  queueDepth: new Gauge({
    name: 'hallmonitor_queue_jobs',
    help: 'Jobs per queue and state',
    labelNames: ['queue', 'state'] as const,
    registers: [metricsRegistry],
  }),
};
