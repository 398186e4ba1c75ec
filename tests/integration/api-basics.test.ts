import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../services/api/build-app.js';
import { createProducerRedis } from '../../services/core/redis-connections.js';
import { generateAuditKey } from '../helpers/audit-fixtures.js';
import { buildTestApp, type TestApp } from '../helpers/build-test-app.js';
import { createSchool, createUser } from '../helpers/factories.js';
import { signIn } from '../helpers/sign-in.js';
import { metaTestEnv, testConfig, youtubeTestEnv } from '../helpers/test-config.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';
import { clearRedisPrefix } from '../helpers/test-redis.js';

let t: TestDatabase;
let api: TestApp;

beforeAll(async () => {
  t = await createTestDatabase();
  api = await buildTestApp(t.db, { configOverrides: { BODY_LIMIT_BYTES: '2048' } });
});
afterAll(async () => {
  await clearRedisPrefix(api.config.redisPrefix);
  await api.close();
  await t.drop();
});

describe('health and readiness', () => {
  it('/healthz answers while the process is alive', async () => {
    const res = await api.app.inject({ url: '/healthz' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
    expect(res.headers['x-request-id']).toBeTruthy();
  });

  it('/readyz answers 200 when Postgres and Redis are both up', async () => {
    const res = await api.app.inject({ url: '/readyz' });
    expect(res.statusCode).toBe(200);
    // A probe learns nothing about how the installation is configured.
    expect(res.json()).toEqual({ status: 'ready', checks: { postgres: 'ok', redis: 'ok' } });
  });

  it('/readyz tells a signed-in trust admin which settings leave part of the product off', async () => {
    const school = await createSchool(t.db);
    const admin = await createUser(t.db, {
      trustId: school.trustId,
      roles: [{ schoolId: school.id, role: 'trust_admin' }],
    });
    const comms = await createUser(t.db, {
      trustId: school.trustId,
      roles: [{ schoolId: school.id, role: 'comms' }],
    });
    const asComms = await api.app.inject({ url: '/readyz', headers: (await signIn(t.db, comms.id)).headers });
    expect(asComms.json().warnings).toBeUndefined();
    const res = await api.app.inject({ url: '/readyz', headers: (await signIn(t.db, admin.id)).headers });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      status: 'ready',
      checks: { postgres: 'ok', redis: 'ok' },
      warnings: [
        'AUDIT_SIGNING_KEY is not set and no key file is in use: audit checkpoints are not signed',
        'SMTP_URL is not set: notification email is off (in-app and webhooks still work)',
        'META_APP_ID, META_APP_SECRET and META_WEBHOOK_VERIFY_TOKEN are not set: Facebook and Instagram are off (accounts on them can be proposed, not connected)',
        'YOUTUBE_CLIENT_ID and YOUTUBE_CLIENT_SECRET are not set: YouTube is off (accounts on it can be proposed, not connected)',
        'METRICS_TOKEN is not set: /metrics answers anyone who can reach it',
      ],
    });
  });

  it('/readyz has no warnings when signing, email, Meta, YouTube and the metrics token are set', async () => {
    const configured = await buildTestApp(t.db, {
      configOverrides: {
        ...metaTestEnv('http://127.0.0.1:1'),
        ...youtubeTestEnv('http://127.0.0.1:1'),
        AUDIT_SIGNING_KEY: generateAuditKey(),
        SMTP_URL: 'smtp://127.0.0.1:2525',
        METRICS_TOKEN: 'x'.repeat(32),
      },
    });
    try {
      const school = await createSchool(t.db);
      const admin = await createUser(t.db, {
        trustId: school.trustId,
        roles: [{ schoolId: school.id, role: 'trust_admin' }],
      });
      const res = await configured.app.inject({
        url: '/readyz',
        headers: (await signIn(t.db, admin.id)).headers,
      });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ status: 'ready', warnings: [] });
    } finally {
      await configured.close();
    }
  });

  it('says once at start-up that Facebook and Instagram are off, and not when Meta is configured', async () => {
    const startUpLines = async (overrides: Record<string, string>) => {
      const lines: string[] = [];
      const app = await buildApp(testConfig({ ...overrides, LOG_LEVEL: 'info' }), {
        db: t.db,
        logStream: { write: (line) => lines.push(line) },
      });
      await app.inject({ url: '/healthz' });
      await app.close();
      return lines.filter((line) => line.includes('Facebook and Instagram are off'));
    };
    const off = await startUpLines({});
    expect(off).toHaveLength(1);
    expect(JSON.parse(off[0]!)).toMatchObject({ platforms: ['facebook', 'instagram'] });
    expect(await startUpLines(metaTestEnv('http://127.0.0.1:1'))).toEqual([]);
  });

  it('/readyz answers 503 naming Redis when Redis is unreachable', async () => {
    const config = testConfig();
    const deadRedis = createProducerRedis('redis://127.0.0.1:1');
    const app = await buildApp(config, { db: t.db, redis: deadRedis, logger: false });
    try {
      const res = await app.inject({ url: '/readyz' });
      expect(res.statusCode).toBe(503);
      const body = res.json();
      expect(body.message).toBe('Redis unreachable');
      expect(body.warnings).toBeUndefined();
      expect(body.checks.postgres).toBe('ok');
      expect(body.checks.redis).not.toBe('ok');
    } finally {
      await app.close();
      deadRedis.disconnect();
    }
  });
});

describe('bad requests', () => {
  it('serves the OpenAPI description at /docs', async () => {
    const res = await api.app.inject({ url: '/docs/json' });
    expect(res.statusCode).toBe(200);
    expect(res.json().paths['/readyz']).toBeDefined();
  });

  it('answers malformed JSON with 400 and a message', async () => {
    const res = await api.app.inject({
      method: 'POST',
      url: '/auth/sign-out',
      headers: { 'content-type': 'application/json' },
      payload: '{"oops": ',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toMatch(/JSON/i);
  });

  it('answers a body over the limit with 413 and a message', async () => {
    const res = await api.app.inject({
      method: 'POST',
      url: '/auth/sign-out',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ text: 'x'.repeat(5000) }),
    });
    expect(res.statusCode).toBe(413);
    expect(res.json().message).toMatch(/too large/i);
  });

  it('answers an unknown route with 404 naming it', async () => {
    const res = await api.app.inject({ url: '/nowhere' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ error: 'NOT_FOUND', message: 'No route for GET /nowhere' });
  });
});

describe('metrics', () => {
  it('serves Prometheus metrics including queue depths', async () => {
    await api.app.queues.add('relay-unprocessed', {});
    const res = await api.app.inject({ url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/plain/);
    expect(res.body).toMatch(/hallmonitor_queue_jobs\{queue="maintenance",state="waiting"\} 1/);
    expect(res.body).toContain('hallmonitor_comments_ingested_total');
  });

  it('with METRICS_TOKEN set, answers only a scrape that sends it', async () => {
    const token = 'scrape-token-0123456789abcdef';
    const guarded = await buildTestApp(t.db, { configOverrides: { METRICS_TOKEN: token } });
    try {
      const none = await guarded.app.inject({ url: '/metrics' });
      expect(none.statusCode).toBe(401);
      expect(none.headers['www-authenticate']).toBe('Bearer realm="metrics"');
      expect(none.json().message).toMatch(/Authorization: Bearer/);
      const wrong = await guarded.app.inject({
        url: '/metrics',
        headers: { authorization: `Bearer ${token.slice(0, -1)}x` },
      });
      expect(wrong.statusCode).toBe(401);
      expect(wrong.body).not.toContain('hallmonitor_');
      const right = await guarded.app.inject({
        url: '/metrics',
        headers: { authorization: `Bearer ${token}` },
      });
      expect(right.statusCode).toBe(200);
      expect(right.body).toContain('hallmonitor_comments_ingested_total');
    } finally {
      await guarded.close();
    }
  });
});
