import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../../config/load-config.js';
import { notificationDeliveries, schoolWebhooks } from '../../../db/schema/index.js';
import { outboundPolicy, type ResolveHost } from '../../../services/core/outbound-address.js';
import { encryptSecret } from '../../../services/core/secret-box.js';
import { systemContext } from '../../../services/core/service-context.js';
import {
  type DeliveryDeps,
  deliverNotification,
} from '../../../services/notifications/deliver-notification.js';
import { notifyUsers } from '../../../services/notifications/notify-users.js';
import { addWebhook } from '../../../services/notifications/school-webhooks.js';
import { buildTestApp, type TestApp } from '../../helpers/build-test-app.js';
import { createSchool, createTrust, createUser } from '../../helpers/factories.js';
import { signIn } from '../../helpers/sign-in.js';
import { testConfig } from '../../helpers/test-config.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';
import { startWebhookServer } from './notify-servers.js';

/**
 * Issue #21 item 4: a school webhook must not reach the installation's own network. Refused when
 * saved (400 naming the field and why) and again before each post, against the address the post
 * then connects to; the delivery log never carries socket detail that would make it a port scanner.
 */

const PUBLIC = '93.184.215.14';
const SOCKET_DETAIL = /ECONN|EHOST|ENET|ENOTFOUND|EAI_|EPIPE|ETIMEDOUT|socket|hang up/i;

let t: TestDatabase;
let config: Config;
let allowedConfig: Config;
let api: TestApp;
let allowedApi: TestApp;
let hooks: Awaited<ReturnType<typeof startWebhookServer>>;

beforeAll(async () => {
  t = await createTestDatabase();
  hooks = await startWebhookServer();
  const key = randomBytes(32).toString('base64');
  config = testConfig({ ENCRYPTION_KEY: key });
  allowedConfig = testConfig({ ENCRYPTION_KEY: key, WEBHOOK_ALLOWED_HOSTS: '127.0.0.1' });
  api = await buildTestApp(t.db, { config });
  allowedApi = await buildTestApp(t.db, { config: allowedConfig });
});
afterAll(async () => {
  await api?.close();
  await allowedApi?.close();
  await hooks?.close();
  await t?.drop();
});

async function school() {
  const trust = await createTrust(t.db);
  const s = await createSchool(t.db, { trustId: trust.id });
  const trustAdmin = await createUser(t.db, {
    trustId: trust.id,
    roles: [{ schoolId: s.id, role: 'trust_admin' }],
  });
  const senior = await createUser(t.db, {
    trustId: trust.id,
    roles: [{ schoolId: s.id, role: 'senior_leader' }],
  });
  const { headers } = await signIn(t.db, trustAdmin.id);
  const add = (app: TestApp, url: string) =>
    app.app.inject({
      method: 'POST',
      url: `/api/schools/${s.id}/webhooks`,
      headers,
      payload: { kind: 'slack', label: '#alerts', url },
    });
  const saved = async () => t.db.select().from(schoolWebhooks).where(eq(schoolWebhooks.schoolId, s.id));
  const deliveryLog = async () =>
    api.app.inject({ method: 'GET', url: `/api/schools/${s.id}/notification-deliveries`, headers });
  return { school: s, senior, headers, add, saved, deliveryLog };
}

/** A notification to the school, and the id of its webhook delivery (one webhook per school here). */
async function webhookDelivery(f: Awaited<ReturnType<typeof school>>): Promise<string> {
  const [notificationId] = await t.db.transaction((tx) =>
    notifyUsers(tx, {
      schoolId: f.school.id,
      userIds: [f.senior.id],
      event: 'account.coverage_gap',
      urgency: 'normal',
      title: 'Some comments may have been missed',
      body: 'Check the account in the platform app.',
      link: '/accounts',
      subject: { type: 'school', id: f.school.id },
    }),
  );
  const rows = await t.db
    .select()
    .from(notificationDeliveries)
    .where(eq(notificationDeliveries.notificationId, notificationId!));
  return rows.find((d) => d.channel === 'webhook')!.id;
}

/** Sends a delivery as the notify job would, with the given allow-list and resolver; one attempt. */
async function deliver(
  deliveryId: string,
  options: {
    allowedHosts?: string[];
    resolve?: ResolveHost;
    webhookTimeoutMs?: number;
    logger?: DeliveryDeps['logger'];
  } = {},
) {
  const outcome = await deliverNotification(
    systemContext(t.db, 'test'),
    { deliveryId },
    {
      mailer: null,
      encryptionKey: config.encryptionKey,
      publicUrl: 'https://hallmonitor.school.test',
      maxAttempts: 1,
      outbound: outboundPolicy(options.allowedHosts ?? [], options.resolve),
      ...(options.webhookTimeoutMs ? { webhookTimeoutMs: options.webhookTimeoutMs } : {}),
      ...(options.logger ? { logger: options.logger } : {}),
    },
  );
  const [row] = await t.db
    .select()
    .from(notificationDeliveries)
    .where(eq(notificationDeliveries.id, deliveryId));
  return { outcome, row: row! };
}

/** Answers `first` on the first lookup of each name and `then` on every later one. */
function rebinding(first: string[], then: string[]): ResolveHost & { calls: string[] } {
  const calls: string[] = [];
  const resolve = async (hostname: string) => {
    const seen = calls.includes(hostname);
    calls.push(hostname);
    return seen ? then : first;
  };
  return Object.assign(resolve, { calls });
}

describe('saving a webhook', () => {
  const internal: [string, RegExp][] = [
    ['https://127.0.0.1:5432/', /loopback/],
    ['https://127.0.0.1:6379/', /loopback/],
    ['https://169.254.169.254/latest/meta-data/iam/', /cloud metadata/],
    ['https://10.0.0.1/hook', /private network/],
    ['https://192.168.1.1/hook', /private network/],
    ['https://172.16.0.1/hook', /private network/],
    ['https://100.64.0.1/hook', /carrier-grade NAT/],
    ['https://metadata.google.internal/computeMetadata/v1/', /cloud metadata/],
    ['https://[::1]/hook', /loopback/],
    ['https://0x7f000001/hook', /loopback/],
    ['https://2130706433/hook', /loopback/],
    ['https://0.0.0.0/hook', /unspecified/],
    ['https://224.0.0.1/hook', /multicast/],
    ['https://255.255.255.255/hook', /broadcast/],
    ['https://[fe80::1]/hook', /link-local/],
    ['https://[fd00::1]/hook', /unique-local/],
    ['https://[::ffff:127.0.0.1]/hook', /loopback/],
    ['https://[::ffff:a9fe:a9fe]/hook', /cloud metadata/],
    ['https://localhost/hook', /loopback/],
  ];

  it.each(internal)('refuses %s with a 400 naming the url and why, and saves nothing', async (url, why) => {
    const f = await school();
    const res = await f.add(api, url);
    expect(res.statusCode).toBe(400);
    const { error, message } = res.json() as { error: string; message: string };
    expect(error).toBe('INVALID_INPUT');
    expect(message).toMatch(/^url: not allowed: its host is /);
    expect(message).toMatch(why);
    expect(await f.saved()).toEqual([]);
  });

  it('refuses a name that resolves to 127.0.0.1, or to a public and an internal address', async () => {
    const f = await school();
    const viaApi = await f.add(api, `https://localhost:${hooks.port}/slack/x`);
    expect(viaApi.statusCode).toBe(400);
    expect(viaApi.json().message).toMatch(/loopback/);

    const add = (url: string, resolve: ResolveHost) =>
      addWebhook(
        systemContext(t.db, 'test'),
        { schoolId: f.school.id, kind: 'slack', label: '#x', url },
        { encryptionKey: config.encryptionKey, outbound: outboundPolicy([], resolve) },
      );
    await expect(add('https://hooks.attacker.example/x', async () => ['127.0.0.1'])).rejects.toThrow(
      /^url: not allowed: its host is a loopback address/,
    );
    await expect(add('https://mixed.attacker.example/x', async () => [PUBLIC, '10.1.2.3'])).rejects.toThrow(
      /private network/,
    );
    await expect(add('https://v6.attacker.example/x', async () => ['::ffff:192.168.0.10'])).rejects.toThrow(
      /private network/,
    );
    expect(await f.saved()).toEqual([]);
  });

  it('refuses plain http, other schemes and credentials in the URL', async () => {
    const f = await school();
    const http = await f.add(api, `http://${PUBLIC}/hook`);
    expect(http.statusCode).toBe(400);
    expect(http.json().message).toMatch(/^url: must start with https:\/\//);
    const gopher = await f.add(api, `gopher://${PUBLIC}:6379/_INFO`);
    expect(gopher.statusCode).toBe(400);
    expect(gopher.json().message).toMatch(/^url: must start with https:\/\//);
    const creds = await f.add(api, `https://user:secret@${PUBLIC}/hook`);
    expect(creds.statusCode).toBe(400);
    expect(creds.json().message).toBe('url: must not carry a user name or password');
    expect(creds.body).not.toContain('secret@');
    expect(await f.saved()).toEqual([]);
  });

  it('lets the local server through only where WEBHOOK_ALLOWED_HOSTS lists it', async () => {
    const f = await school();
    const url = `${hooks.base}/slack/${f.school.id}/allowed`;
    const refused = await f.add(api, url);
    expect(refused.statusCode).toBe(400);
    expect(refused.json().message).toMatch(/loopback/);
    expect(await f.saved()).toEqual([]);

    const allowed = await f.add(allowedApi, url);
    expect(allowed.statusCode).toBe(201);
    const deliveryId = await webhookDelivery(f);
    const { outcome, row } = await deliver(deliveryId, { allowedHosts: ['127.0.0.1'] });
    expect(outcome.status).toBe('sent');
    expect(row.status).toBe('sent');
    expect(hooks.received.filter((p) => p.path === `/slack/${f.school.id}/allowed`)).toHaveLength(1);
  });
});

describe('posting to a webhook', () => {
  it('refuses at connect time a saved webhook the installation no longer allows; nothing reaches it', async () => {
    const f = await school();
    expect((await f.add(allowedApi, `${hooks.base}/slack/${f.school.id}/was-allowed`)).statusCode).toBe(201);
    const before = hooks.connections();
    const { outcome, row } = await deliver(await webhookDelivery(f));
    expect(outcome).toEqual({ status: 'failed', attempts: 1 });
    expect(row.lastError).toBe('webhook refused (address not allowed)');
    expect(hooks.connections()).toBe(before);
    const [hook] = await f.saved();
    expect(hook!.consecutiveFailures).toBe(1);
  });

  it('refuses a name that answered a public address when saved and 127.0.0.1 when posted (DNS rebinding)', async () => {
    const f = await school();
    const resolve = rebinding([PUBLIC], ['127.0.0.1']);
    const url = `https://rebind.attacker.example:${hooks.port}/slack/${f.school.id}/rebound`;
    await addWebhook(
      systemContext(t.db, 'test'),
      { schoolId: f.school.id, kind: 'slack', label: '#rebind', url },
      { encryptionKey: config.encryptionKey, outbound: outboundPolicy([], resolve) },
    );
    expect(await f.saved()).toHaveLength(1);
    const before = hooks.connections();
    const { outcome, row } = await deliver(await webhookDelivery(f), { resolve });
    expect(resolve.calls).toEqual(['rebind.attacker.example', 'rebind.attacker.example']);
    expect(outcome).toEqual({ status: 'failed', attempts: 1 });
    expect(row.lastError).toBe('webhook refused (address not allowed)');
    expect(hooks.connections()).toBe(before);
  });

  it('connects to the address it checked, not to whatever the name resolves to next', async () => {
    const f = await school();
    // The check sees 127.0.0.1 (allow-listed); any later lookup would answer an unroutable address.
    const resolve = rebinding(['127.0.0.1'], ['10.255.255.1']);
    const url = `http://pinned.example:${hooks.port}/slack/${f.school.id}/pinned`;
    await t.db.insert(schoolWebhooks).values({
      schoolId: f.school.id,
      kind: 'slack',
      label: '#pinned',
      urlEncrypted: encryptSecret(config.encryptionKey, url),
    });
    const { outcome } = await deliver(await webhookDelivery(f), { allowedHosts: ['127.0.0.1'], resolve });
    expect(outcome.status).toBe('sent');
    expect(resolve.calls).toEqual(['pinned.example']);
    expect(hooks.received.filter((p) => p.path === `/slack/${f.school.id}/pinned`)).toHaveLength(1);
  });

  it('does not follow a redirect', async () => {
    const f = await school();
    expect((await f.add(allowedApi, `${hooks.base}/redirect/${f.school.id}`)).statusCode).toBe(201);
    const redirectedBefore = hooks.received.filter((p) => p.path === '/redirected').length;
    const { outcome, row } = await deliver(await webhookDelivery(f), { allowedHosts: ['127.0.0.1'] });
    expect(outcome.status).toBe('failed');
    expect(row.lastError).toBe('webhook failed (HTTP 302)');
    expect(hooks.received.filter((p) => p.path === '/redirected')).toHaveLength(redirectedBefore);
  });

  it('records "could not connect" without socket detail, so the log cannot scan ports', async () => {
    const f = await school();
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as { port: number }).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    expect((await f.add(allowedApi, `http://127.0.0.1:${port}/slack/closed`)).statusCode).toBe(201);

    const debug: unknown[] = [];
    const { outcome, row } = await deliver(await webhookDelivery(f), {
      allowedHosts: ['127.0.0.1'],
      logger: { debug: (fields: unknown) => debug.push(fields) } as DeliveryDeps['logger'],
    });
    expect(outcome.status).toBe('failed');
    expect(row.lastError).toBe('webhook failed (could not connect)');
    // The operator can still see why, at debug level, without the URL.
    expect(debug).toEqual([expect.objectContaining({ deliveryId: row.id, why: 'ECONNREFUSED' })]);
    expect(JSON.stringify(debug)).not.toContain('/slack/closed');

    const log = await f.deliveryLog();
    expect(log.statusCode).toBe(200);
    const items = log.json().items as { channel: string; lastError: string }[];
    expect(items.filter((i) => i.channel === 'webhook').map((i) => i.lastError)).toEqual([
      'webhook failed (could not connect)',
    ]);
    expect(log.body).not.toMatch(SOCKET_DETAIL);
    expect(log.body).not.toContain(`:${port}`);
  });

  it('records a post that gets no answer as timed out', async () => {
    const f = await school();
    expect((await f.add(allowedApi, `${hooks.base}/hang/${f.school.id}`)).statusCode).toBe(201);
    const { outcome, row } = await deliver(await webhookDelivery(f), {
      allowedHosts: ['127.0.0.1'],
      webhookTimeoutMs: 300,
    });
    expect(outcome.status).toBe('failed');
    expect(row.lastError).toBe('webhook failed (timed out)');
  });

  it('records a refused post as refused, with nothing that tells one internal port from another', async () => {
    const errors: string[] = [];
    for (const port of [5432, 6379, hooks.port]) {
      const f = await school();
      await t.db.insert(schoolWebhooks).values({
        schoolId: f.school.id,
        kind: 'slack',
        label: `#port-${port}`,
        urlEncrypted: encryptSecret(config.encryptionKey, `https://127.0.0.1:${port}/probe`),
      });
      const { row } = await deliver(await webhookDelivery(f));
      errors.push(row.lastError!);
      const log = await f.deliveryLog();
      expect(log.body).not.toMatch(SOCKET_DETAIL);
      expect(log.body).not.toContain(`:${port}`);
    }
    expect(new Set(errors)).toEqual(new Set(['webhook refused (address not allowed)']));
  });
});
