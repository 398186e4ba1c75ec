import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { ConfigError, loadConfig, withAuditSigningKey } from '../../config/load-config.js';
import { createDatabase } from '../../db/client.js';
import { ensureDatabaseExists } from '../../db/ensure-database.js';
import { migrateDatabase } from '../../db/migrate.js';
import { postgresDownMessage } from '../../db/service-checks.js';
import { startSandbox } from '../../sandbox/server.js';
import { startWorkerRuntime } from '../../workers/worker-runtime.js';
import { buildApp } from '../api/build-app.js';
import { createLogger } from '../core/logger.js';
import { onShutdown } from '../core/shutdown.js';
import { checkServices, exitOnStartupError } from '../core/startup-checks.js';
import { startDemoTraffic } from './demo-traffic.js';
import { DEMO_BLUESKY_HANDLE, seedDemo } from './seed-demo.js';

/**
 * `npm run demo`: the sandbox platforms (X, Meta's Graph API and Bluesky), a seeded school with a
 * Facebook Page, an Instagram account, an X account and a Bluesky account, live traffic (most of it on Facebook, delivered by
 * webhook), the API and the workers in one process, then a URL to open. Secrets are generated once and kept in .demo/ so restarts can
 * still decrypt the stored tokens.
 */
const STATE_DIR = '.demo';
const DEMO_WEBHOOK_VERIFY_TOKEN = 'demo-webhook-verify-token-0123456789';
const secretsFile = `${STATE_DIR}/secrets.json`;
if (!existsSync(STATE_DIR)) mkdirSync(STATE_DIR, { recursive: true });
const secrets = existsSync(secretsFile)
  ? (JSON.parse(readFileSync(secretsFile, 'utf8')) as Record<string, string>)
  : {
      SESSION_SECRET: randomBytes(48).toString('base64'),
      ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      DEMO_PASSWORD: `oakfield-${randomBytes(4).toString('hex')}`,
    };
writeFileSync(secretsFile, JSON.stringify(secrets, null, 2), { mode: 0o600 });

const sandbox = await startSandbox({
  port: Number(process.env.DEMO_SANDBOX_PORT ?? 4100),
  host: '127.0.0.1',
});
let config: ReturnType<typeof loadConfig>;
try {
  // Checkpoints are on: with no AUDIT_SIGNING_KEY, the demo's key is generated into .demo/.
  config = withAuditSigningKey(
    loadConfig({
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/hallmonitor_demo',
      POLL_INTERVAL_SECONDS: '5',
      LOG_LEVEL: 'warn',
      AUDIT_SIGNING_KEY_FILE: `${STATE_DIR}/audit-signing-key`,
      ...process.env,
      SESSION_SECRET: process.env.SESSION_SECRET ?? secrets.SESSION_SECRET!,
      ENCRYPTION_KEY: process.env.ENCRYPTION_KEY ?? secrets.ENCRYPTION_KEY!,
      X_API_BASE_URL: sandbox.url,
      // Meta through the sandbox's Graph API and its default app; webhooks carry most comments and
      // the poll is the backstop.
      META_APP_ID: sandbox.meta.state.app.id,
      META_APP_SECRET: sandbox.meta.state.app.secret,
      META_WEBHOOK_VERIFY_TOKEN: DEMO_WEBHOOK_VERIFY_TOKEN,
      META_GRAPH_BASE_URL: sandbox.url,
      // Bluesky: its sandbox PDS, where the demo account signs in with its app password.
      BLUESKY_SERVICE_URL: sandbox.bluesky.serviceUrl,
    }),
    (line) => process.stderr.write(`${line}\n`),
  );
} catch (error) {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(78);
  }
  throw error;
}

try {
  await ensureDatabaseExists(config.databaseUrl);
} catch (error) {
  process.stderr.write(`${postgresDownMessage(config.databaseUrl, error)}\n`);
  process.exit(1);
}
await checkServices(config).catch(exitOnStartupError);
const logger = createLogger(config, 'demo');
const db = createDatabase({ url: config.databaseUrl, max: 20 });
await migrateDatabase(db);
const seeded = await seedDemo(db, config, sandbox, secrets.DEMO_PASSWORD!);

const runtime = await startWorkerRuntime({ config, db, logger: logger.child({ component: 'worker' }) });
const app = await buildApp(config, { db, logger: false });
await app.listen({ host: config.host, port: config.port });
// The sandbox delivers every Facebook and Instagram change to the demo's webhook, as Meta would.
const callbackUrl = `http://127.0.0.1:${config.port}/webhooks/meta`;
sandbox.meta.webhooks.configure({ callbackUrl, verifyToken: DEMO_WEBHOOK_VERIFY_TOKEN });
const verified = await sandbox.meta.webhooks.verify();
if (!verified.ok) {
  process.stderr.write(
    `The Meta sandbox could not verify the webhook at ${callbackUrl}: ${verified.status}\n`,
  );
}
const traffic = startDemoTraffic(
  sandbox,
  { xUsername: seeded.sandboxUser.username, pageId: seeded.page.id, blueskyHandle: DEMO_BLUESKY_HANDLE },
  {
    ratePerSecond: Number(process.env.DEMO_RATE ?? 0.5),
    seed: Date.now() % 100_000,
  },
);

const width = Math.max(...seeded.people.map((p) => p.role.length));
process.stdout.write(
  [
    '',
    `Hallmonitor demo is running: open ${config.publicUrl}/login`,
    '',
    `School: ${seeded.school.name}, with four accounts on the sandbox platforms at ${sandbox.url}:`,
    `  Facebook Page "${seeded.page.name}" (${seeded.page.id}), comments delivered by webhook to ${callbackUrl}`,
    `  Instagram @${seeded.instagram.handle} (linked to the Page), X @${seeded.sandboxUser.username}, and Bluesky @${DEMO_BLUESKY_HANDLE}`,
    'Live comments arrive about one every two seconds, most on the Facebook Page, most as replies to the',
    "school's own posts (praise, questions, complaints, media enquiries, spam, abuse, threats, safeguarding",
    'disclosures), never the same text twice. Every account is also polled every 5 seconds, the backstop',
    'that picks up anything a webhook missed.',
    '',
    'Sign in as (every password is the same):',
    ...seeded.people.map((p) => `  ${p.role.padEnd(width)}  ${p.email.padEnd(24)}  ${p.password}`),
    '',
    `JSON API: ${config.publicUrl}/docs    Metrics: ${config.publicUrl}/metrics`,
    'Stop with Ctrl-C.',
    '',
  ].join('\n'),
);

onShutdown(logger, [
  () => traffic.stop(),
  () => app.close(),
  () => runtime.close(),
  () => sandbox.close(),
  () => db.$client.end(),
]);
