import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUEUE_NAMES } from '../../../workers/job-registry.js';
import { buildTestApp, type TestApp } from '../../helpers/build-test-app.js';
import { createSchool, createTrust, createUser } from '../../helpers/factories.js';
import { signIn } from '../../helpers/sign-in.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';
import { clearRedisPrefix } from '../../helpers/test-redis.js';

let t: TestDatabase;
let api: TestApp;
let trustAdmin: { cookie: string };
let trustId: string;
let comms: { cookie: string };

beforeAll(async () => {
  t = await createTestDatabase();
  api = await buildTestApp(t.db);
  const school = await createSchool(t.db);
  trustId = school.trustId;
  const [admin, staff] = await Promise.all([
    createUser(t.db, { trustId: school.trustId, roles: [{ schoolId: school.id, role: 'trust_admin' }] }),
    createUser(t.db, { trustId: school.trustId, roles: [{ schoolId: school.id, role: 'comms' }] }),
  ]);
  trustAdmin = { cookie: (await signIn(t.db, admin.id)).headers.cookie };
  comms = { cookie: (await signIn(t.db, staff.id)).headers.cookie };
});
afterAll(async () => {
  await clearRedisPrefix(api.config.redisPrefix);
  await api.close();
  await t.drop();
});

describe('Bull Board at /admin/queues', () => {
  it('shows a trust admin the dashboard, with every queue of the registry in its API', async () => {
    await api.app.queues.add('relay-unprocessed', {});
    const page = await api.app.inject({ method: 'GET', url: '/admin/queues', headers: trustAdmin });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.body).toContain('<base href="/admin/queues/"');
    // The relaxed policy is the board's alone; the rest of the app keeps helmet's.
    expect(page.headers['content-security-policy']).toContain("style-src 'self' 'unsafe-inline'");
    const login = await api.app.inject({ method: 'GET', url: '/login' });
    expect(login.headers['content-security-policy']).not.toContain('unsafe-inline');

    const script = page.body.match(/src="(static\/js\/main[^"]+)"/)?.[1];
    expect(script).toBeDefined();
    const asset = await api.app.inject({
      method: 'GET',
      url: `/admin/queues/${script}`,
      headers: trustAdmin,
    });
    expect(asset.statusCode).toBe(200);

    const listed = await api.app.inject({
      method: 'GET',
      url: '/admin/queues/api/queues',
      headers: trustAdmin,
    });
    expect(listed.statusCode).toBe(200);
    const queues = listed.json().queues as { name: string; counts: Record<string, number> }[];
    expect(queues.map((q) => q.name).sort()).toEqual([...QUEUE_NAMES].sort());
    expect(queues.find((q) => q.name === 'maintenance')!.counts.waiting).toBe(1);
  });

  it('refuses comms staff with 403: the styled error page for the board, JSON for its API', async () => {
    const page = await api.app.inject({ method: 'GET', url: '/admin/queues', headers: comms });
    expect(page.statusCode).toBe(403);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.body).toContain('<h1>You do not have access to this</h1>');
    expect(page.body).toMatch(/trust admin/);
    const res = await api.app.inject({ method: 'GET', url: '/admin/queues/api/queues', headers: comms });
    expect(res.statusCode).toBe(403);
    expect(res.json().message).toMatch(/trust admin/);
  });

  it('sends an anonymous visitor to sign in, and answers its API calls 401', async () => {
    const page = await api.app.inject({ method: 'GET', url: '/admin/queues' });
    expect(page.statusCode).toBe(303);
    expect(page.headers.location).toBe('/login');
    const apiCall = await api.app.inject({ method: 'GET', url: '/admin/queues/api/queues' });
    expect(apiCall.statusCode).toBe(401);
    const retry = await api.app.inject({
      method: 'PUT',
      url: '/admin/queues/api/queues/actions/retry/failed',
    });
    expect(retry.statusCode).toBe(401);
  });

  it('refuses a queue change sent from another site, even with a trust admin cookie', async () => {
    const res = await api.app.inject({
      method: 'PUT',
      url: '/admin/queues/api/queues/actions/retry/failed',
      headers: { ...trustAdmin, origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
    });
    expect(res.statusCode).toBe(403);
    const ours = await api.app.inject({
      method: 'PUT',
      url: '/admin/queues/api/queues/actions/retry/failed',
      headers: { ...trustAdmin, 'sec-fetch-site': 'same-origin' },
    });
    expect(ours.statusCode).toBe(200);
  });
});

// Last: it adds a second trust to the installation, which closes the board to the tests above.
describe('Bull Board in an installation of several trusts', () => {
  it("is closed to every trust's admins unless QUEUE_DASHBOARD_TRUST_ID names theirs", async () => {
    const other = await createTrust(t.db);
    const otherSchool = await createSchool(t.db, { trustId: other.id });
    const otherAdmin = await createUser(t.db, {
      trustId: other.id,
      roles: [{ schoolId: otherSchool.id, role: 'trust_admin' }],
    });
    const otherCookie = { cookie: (await signIn(t.db, otherAdmin.id)).headers.cookie };
    for (const headers of [trustAdmin, otherCookie]) {
      for (const url of ['/admin/queues', '/admin/queues/api/queues']) {
        const res = await api.app.inject({ method: 'GET', url, headers });
        expect(res.statusCode, url).toBe(403);
        // The board's page answers the styled error page (HTML-escaped), its API JSON.
        const message = url.includes('/api/') ? res.json().message : res.body.replaceAll('&#39;', "'");
        expect(message).toMatch(/every trust's work.*QUEUE_DASHBOARD_TRUST_ID/);
      }
    }

    const operated = await buildTestApp(t.db, { configOverrides: { QUEUE_DASHBOARD_TRUST_ID: trustId } });
    try {
      const ours = await operated.app.inject({
        method: 'GET',
        url: '/admin/queues/api/queues',
        headers: trustAdmin,
      });
      expect(ours.statusCode).toBe(200);
      expect((ours.json().queues as unknown[]).length).toBe(QUEUE_NAMES.length);
      const theirs = await operated.app.inject({
        method: 'GET',
        url: '/admin/queues/api/queues',
        headers: otherCookie,
      });
      expect(theirs.statusCode).toBe(403);
    } finally {
      await clearRedisPrefix(operated.config.redisPrefix);
      await operated.close();
    }
  });
});
