import { resolve } from 'node:path';
import ipaddr from 'ipaddr.js';
import { forbiddenAddressReason } from '../services/core/outbound-address.js';
import type { PlatformName } from '../services/platforms/adapter.js';
import { KeyFileError, keyFileIsOpen, readOrCreateKeyFile } from './audit-signing-key-file.js';
import { envSchema } from './env-schema.js';

export interface Config {
  readonly databaseUrl: string;
  readonly redisUrl: string;
  readonly redisPrefix: string;
  readonly host: string;
  readonly port: number;
  readonly publicUrl: string;
  readonly sessionSecret: string;
  readonly encryptionKey: Buffer;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  readonly pollIntervalSeconds: number;
  /** Polls of an account that fail in a row before its admins are told (once per run of failures). */
  readonly pollFailureAlertAfter: number;
  readonly bodyLimitBytes: number;
  readonly cookieSecure: boolean;
  readonly x: { readonly clientId: string; readonly clientSecret: string; readonly apiBaseUrl?: string };
  /**
   * Facebook Pages and Instagram through the Meta Graph API. Absent: META_APP_ID, META_APP_SECRET
   * and META_WEBHOOK_VERIFY_TOKEN are all unset, and both platforms are off (see platformsOff).
   */
  readonly meta?: MetaConfig;
  /** Bluesky: needs no app registration (accounts sign in with app passwords), so it is always on. */
  readonly bluesky: { readonly serviceUrl: string };
  readonly workerConcurrency: number;
  /** Email and webhook delivery of notifications; no smtpUrl: the email channel is off. */
  readonly notifications: {
    readonly smtpUrl?: string;
    readonly smtpFrom: string;
    readonly digestMinutes: number;
    readonly attempts: number;
    readonly backoffMs: number;
  };
  /**
   * Hosts (names, addresses, CIDR ranges) that school webhooks may reach although they are on an
   * internal network, and over plain http; everything else must be a public https address.
   */
  readonly webhookAllowedHosts: readonly string[];
  /**
   * Base64 Ed25519 key that signs audit checkpoints and exports: AUDIT_SIGNING_KEY, or (filled in by
   * withAuditSigningKey at start-up) the key kept in auditSigningKeyFile. Unset: checkpoints are skipped.
   */
  readonly auditSigningKey?: string;
  /** Where the key is kept when AUDIT_SIGNING_KEY is unset: an absolute path, created on first start. */
  readonly auditSigningKeyFile: string;
  /** 'file' when auditSigningKey was read from (or generated into) auditSigningKeyFile. */
  readonly auditSigningKeySource?: 'environment' | 'file';
  /** Minutes between signed audit checkpoints (the unwitnessed tail of the log is at most this long). */
  readonly auditCheckpointMinutes: number;
  /** Outside witnesses the daily checkpoint is mailed to (needs smtpUrl). */
  readonly auditWitnessEmails?: readonly string[];
  /** Which X-Forwarded-For hops to believe: false, true, a hop count, or proxy addresses. */
  readonly trustProxy: boolean | number | string;
  /** A bearer token /metrics requires; unset: /metrics answers anyone who can reach it. */
  readonly metricsToken?: string;
  /**
   * The trust whose admins may open the queue dashboard, which shows every trust's jobs. Unset: an
   * installation with one trust lets its admins in; with several, nobody.
   */
  readonly queueDashboardTrustId?: string;
  /**
   * Outside classification tiers the installation offers: an OpenAI-compatible moderation endpoint
   * and a self-hosted guard model. Configured is not on: no comment goes to either until a trust
   * admin turns it on for their trust.
   */
  readonly externalClassification: {
    readonly moderation?: ExternalTierConfig;
    readonly guard?: ExternalTierConfig & { readonly allowPrivateNetwork: boolean };
  };
}

/** The Meta app Hallmonitor signs in to Facebook and reads the Graph API with. */
export interface MetaConfig {
  readonly appId: string;
  readonly appSecret: string;
  /** what Meta sends back as `hub.verify_token` when the webhook is set up */
  readonly webhookVerifyToken: string;
  /** https://graph.facebook.com, or the sandbox's origin in the demo and tests; no trailing slash */
  readonly graphBaseUrl: string;
  /** 'v21.0' */
  readonly graphVersion: string;
  /** seconds between the backstop polls of an account whose webhook deliveries are arriving */
  readonly pollIntervalSecondsWithWebhooks: number;
}

/** The three variables that turn Meta on; all or none. */
export const META_REQUIRED_VARIABLES = [
  'META_APP_ID',
  'META_APP_SECRET',
  'META_WEBHOOK_VERIFY_TOKEN',
] as const;

/** An outside classification tier's endpoint (see services/classification/external-moderation.ts). */
export interface ExternalTierConfig {
  readonly url: string;
  readonly model: string;
  readonly apiKey?: string;
  readonly timeoutMs: number;
}

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    readonly expected: string,
    readonly missing = false,
  ) {
    super(
      missing
        ? `Missing configuration: ${variable} is not set; expected ${expected}`
        : `Invalid configuration: ${variable} must be ${expected}`,
    );
    this.name = 'ConfigError';
  }
}

/**
 * Reads the environment once and returns a frozen, typed config. Throws a ConfigError naming the
 * first bad variable; blank values count as unset, so `PORT=` falls back to the default.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const source: Record<string, string> = {};
  for (const key of Object.keys(envSchema.shape)) {
    const value = env[key];
    if (value !== undefined && value.trim() !== '') source[key] = value.trim();
  }
  const parsed = envSchema.safeParse(source);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const variable = String(issue.path[0] ?? 'environment');
    const missing = source[variable] === undefined;
    throw new ConfigError(variable, issue.message, missing);
  }
  const e = parsed.data;
  if (e.MODERATION_URL && !e.MODERATION_API_KEY)
    throw new ConfigError(
      'MODERATION_API_KEY',
      'set when MODERATION_URL is set (the endpoint’s API key)',
      true,
    );
  if (e.MODERATION_URL) {
    const problem = endpointAddressProblem(e.MODERATION_URL, false);
    if (problem) throw new ConfigError('MODERATION_URL', `a public https address, not ${problem}`);
  }
  if (e.GUARD_MODEL_URL) {
    const problem = endpointAddressProblem(e.GUARD_MODEL_URL, e.GUARD_MODEL_ALLOW_PRIVATE_NETWORK);
    if (problem)
      throw new ConfigError(
        'GUARD_MODEL_URL',
        `a public https address, not ${problem} (a model on this machine or network: also set GUARD_MODEL_ALLOW_PRIVATE_NETWORK=true)`,
      );
  }
  const metaSet = META_REQUIRED_VARIABLES.filter((name) => e[name] !== undefined);
  if (metaSet.length > 0 && metaSet.length < META_REQUIRED_VARIABLES.length) {
    const missing = META_REQUIRED_VARIABLES.filter((name) => e[name] === undefined);
    throw new ConfigError(
      missing.join(' and '),
      `set as well, because ${metaSet.join(' and ')} ${metaSet.length === 1 ? 'is' : 'are'} (Facebook and Instagram need all of META_APP_ID, META_APP_SECRET and META_WEBHOOK_VERIFY_TOKEN; unset them all to leave Meta off)`,
    );
  }
  if (e.AUDIT_WITNESS_EMAILS && !e.SMTP_URL)
    throw new ConfigError(
      'AUDIT_WITNESS_EMAILS',
      'left unset unless SMTP_URL is set too (checkpoints are mailed over it)',
    );
  return Object.freeze({
    databaseUrl: e.DATABASE_URL,
    redisUrl: e.REDIS_URL,
    redisPrefix: e.REDIS_PREFIX,
    host: e.HOST,
    port: e.PORT,
    publicUrl: e.PUBLIC_URL.replace(/\/$/, ''),
    sessionSecret: e.SESSION_SECRET,
    encryptionKey: Buffer.from(e.ENCRYPTION_KEY, 'base64'),
    logLevel: e.LOG_LEVEL,
    pollIntervalSeconds: e.POLL_INTERVAL_SECONDS,
    pollFailureAlertAfter: e.POLL_FAILURE_ALERT_AFTER,
    bodyLimitBytes: e.BODY_LIMIT_BYTES,
    cookieSecure: e.COOKIE_SECURE,
    x: Object.freeze({
      clientId: e.X_CLIENT_ID,
      clientSecret: e.X_CLIENT_SECRET,
      ...(e.X_API_BASE_URL ? { apiBaseUrl: e.X_API_BASE_URL.replace(/\/$/, '') } : {}),
    }),
    ...(e.META_APP_ID && e.META_APP_SECRET && e.META_WEBHOOK_VERIFY_TOKEN
      ? {
          meta: Object.freeze({
            appId: e.META_APP_ID,
            appSecret: e.META_APP_SECRET,
            webhookVerifyToken: e.META_WEBHOOK_VERIFY_TOKEN,
            graphBaseUrl: e.META_GRAPH_BASE_URL.replace(/\/+$/, ''),
            graphVersion: e.META_GRAPH_VERSION,
            pollIntervalSecondsWithWebhooks: e.META_POLL_INTERVAL_SECONDS_WITH_WEBHOOKS,
          }),
        }
      : {}),
    bluesky: Object.freeze({ serviceUrl: e.BLUESKY_SERVICE_URL.replace(/\/+$/, '') }),
    workerConcurrency: e.WORKER_CONCURRENCY,
    notifications: Object.freeze({
      ...(e.SMTP_URL ? { smtpUrl: e.SMTP_URL } : {}),
      smtpFrom: e.SMTP_FROM,
      digestMinutes: e.NOTIFY_DIGEST_MINUTES,
      attempts: e.NOTIFY_ATTEMPTS,
      backoffMs: e.NOTIFY_BACKOFF_MS,
    }),
    webhookAllowedHosts: Object.freeze(e.WEBHOOK_ALLOWED_HOSTS ?? []),
    trustProxy: e.TRUST_PROXY,
    ...(e.AUDIT_SIGNING_KEY
      ? { auditSigningKey: e.AUDIT_SIGNING_KEY, auditSigningKeySource: 'environment' as const }
      : {}),
    auditSigningKeyFile: resolve(e.AUDIT_SIGNING_KEY_FILE),
    auditCheckpointMinutes: e.AUDIT_CHECKPOINT_MINUTES,
    ...(e.AUDIT_WITNESS_EMAILS ? { auditWitnessEmails: Object.freeze(e.AUDIT_WITNESS_EMAILS) } : {}),
    ...(e.METRICS_TOKEN ? { metricsToken: e.METRICS_TOKEN } : {}),
    externalClassification: Object.freeze({
      ...(e.MODERATION_URL && e.MODERATION_API_KEY
        ? {
            moderation: Object.freeze({
              url: e.MODERATION_URL,
              model: e.MODERATION_MODEL,
              apiKey: e.MODERATION_API_KEY,
              timeoutMs: e.MODERATION_TIMEOUT_MS,
            }),
          }
        : {}),
      ...(e.GUARD_MODEL_URL
        ? {
            guard: Object.freeze({
              url: e.GUARD_MODEL_URL,
              model: e.GUARD_MODEL_NAME,
              ...(e.GUARD_MODEL_API_KEY ? { apiKey: e.GUARD_MODEL_API_KEY } : {}),
              timeoutMs: e.GUARD_MODEL_TIMEOUT_MS,
              allowPrivateNetwork: e.GUARD_MODEL_ALLOW_PRIVATE_NETWORK,
            }),
          }
        : {}),
    }),
    ...(e.QUEUE_DASHBOARD_TRUST_ID
      ? { queueDashboardTrustId: e.QUEUE_DASHBOARD_TRUST_ID.toLowerCase() }
      : {}),
  });
}

/**
 * The platforms this installation cannot reach for want of configuration, each with one sentence
 * saying what to set. Logged once at start-up and shown to trust admins on /readyz.
 */
export function platformsOff(
  config: Pick<Config, 'meta'>,
): { platforms: readonly PlatformName[]; message: string }[] {
  const off: { platforms: readonly PlatformName[]; message: string }[] = [];
  if (!config.meta)
    off.push({
      platforms: ['facebook', 'instagram'],
      message:
        'META_APP_ID, META_APP_SECRET and META_WEBHOOK_VERIFY_TOKEN are not set: Facebook and Instagram are off (accounts on them can be proposed, not connected)',
    });
  return off;
}

/** Why accounts on this platform cannot be connected in this installation, or null when they can. */
export function connectUnavailable(config: Pick<Config, 'meta'>, platform: PlatformName): string | null {
  const off = platformsOff(config).find((o) => o.platforms.includes(platform));
  if (off) return off.message;
  if (platform === 'youtube') return 'Hallmonitor cannot connect YouTube accounts yet';
  return null;
}

/**
 * Why an outside classifier's URL may not be used, or null. Comment text (pupils' words) goes
 * there: plain http, or an address on this machine or its network, only for a model the school runs
 * itself and only when the installation says so; a cloud metadata address never. A host name is
 * resolved and checked again when the worker starts (services/classification/external-tiers.ts).
 */
export function endpointAddressProblem(raw: string, allowPrivateNetwork: boolean): string | null {
  const url = new URL(raw);
  if (url.username || url.password)
    return 'a URL with a user name or password in it (use the API key variable)';
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  if (ipaddr.isValid(host)) {
    const reason = forbiddenAddressReason(host);
    if (reason === 'a cloud metadata address') return reason;
    if (reason && !allowPrivateNetwork) return reason;
  } else if ((host === 'localhost' || host.endsWith('.localhost')) && !allowPrivateNetwork) {
    return 'a loopback address (this machine)';
  }
  if (url.protocol === 'http:' && !allowPrivateNetwork)
    return 'plain http (the text would cross the network unencrypted)';
  return null;
}

/**
 * The config with an audit signing key: AUDIT_SIGNING_KEY when set, otherwise the key kept in
 * AUDIT_SIGNING_KEY_FILE, generated there (mode 0600) on first start, so every installation signs
 * checkpoints. The key lives outside the database: someone who can rewrite the log cannot sign it.
 * `log` hears once where a new key was written, and whenever the file is readable by others.
 */
export function withAuditSigningKey(config: Config, log: (line: string) => void = () => {}): Config {
  if (config.auditSigningKey) return config;
  let kept: { key: string; created: boolean };
  try {
    kept = readOrCreateKeyFile(config.auditSigningKeyFile);
  } catch (error) {
    if (error instanceof KeyFileError)
      throw new ConfigError(
        'AUDIT_SIGNING_KEY_FILE',
        `a file holding the audit signing key, or a path where one can be created (${error.message})`,
      );
    throw error;
  }
  if (kept.created)
    log(
      `AUDIT_SIGNING_KEY is not set: generated an audit signing key in ${config.auditSigningKeyFile} (mode 0600). Keep that file (back it up, outside the database); its public key is under GET /api/audit/checkpoints (see docs/audit.md)`,
    );
  else if (keyFileIsOpen(config.auditSigningKeyFile))
    log(`${config.auditSigningKeyFile} (the audit signing key) is readable by others: chmod 600 it`);
  return Object.freeze({ ...config, auditSigningKey: kept.key, auditSigningKeySource: 'file' as const });
}

/**
 * For entrypoints: the config with its audit signing key (AUDIT_SIGNING_KEY, or the key file,
 * generated on first start); prints the one-line reason and exits instead of a stack trace.
 */
export function loadConfigOrExit(env: NodeJS.ProcessEnv = process.env): Config {
  try {
    return withAuditSigningKey(loadConfig(env), (line) => process.stderr.write(`${line}\n`));
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(78);
    }
    throw error;
  }
}
