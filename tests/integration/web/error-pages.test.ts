import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../helpers/build-test-app.js';
import { createSchool, createUser } from '../../helpers/factories.js';
import { signIn } from '../../helpers/sign-in.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';

let t: TestDatabase;
let api: TestApp;
let cookie: string;
let csrf: string;

beforeAll(async () => {
  t = await createTestDatabase();
  api = await buildTestApp(t.db);
  const school = await createSchool(t.db);
  const comms = await createUser(t.db, {
    trustId: school.trustId,
    displayName: 'Casey Comms',
    roles: [{ schoolId: school.id, role: 'comms' }],
  });
  const session = await signIn(t.db, comms.id);
  cookie = session.headers.cookie;
  csrf = session.csrfToken;
});
afterAll(async () => {
  await api.close();
  await t.drop();
});

/** What Chromium sends for a page. */
const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

const heading = (html: string) => html.match(/<h1>(.*?)<\/h1>/)?.[1];

describe('one error handler, HTML or JSON by the route', () => {
  it('answers an unknown page address with the styled 404 page, keeping the navigation', async () => {
    const res = await api.app.inject({ url: '/no-such-page', headers: { cookie, accept: BROWSER_ACCEPT } });
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(heading(res.body)).toBe('Not found');
    expect(res.body).toContain('There is no page at this address');
    expect(res.body).toContain('<nav class="site-nav" aria-label="Main">');
    expect(res.body).toContain('<link rel="stylesheet" href="/static/app.css"/>');
  });

  it('answers an unknown page address signed out with the 404 page and a way to sign in', async () => {
    const res = await api.app.inject({ url: '/nowhere/at/all', headers: { accept: BROWSER_ACCEPT } });
    expect(res.statusCode).toBe(404);
    expect(heading(res.body)).toBe('Not found');
    expect(res.body).toContain('href="/login"');
  });

  it('answers an unknown API address with JSON', async () => {
    const res = await api.app.inject({ url: '/api/no-such-thing', headers: { cookie } });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ error: 'NOT_FOUND', message: 'No route for GET /api/no-such-thing' });
  });

  it('answers a page form whose body breaks its schema with the 400 page naming the field', async () => {
    const res = await api.app.inject({
      method: 'POST',
      url: '/safeguarding/00000000-0000-4000-8000-000000000000/resolve',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ _csrf: csrf, outcome: 'shred', note: 'x' }).toString(),
    });
    expect(res.statusCode).toBe(400);
    expect(heading(res.body)).toBe('That request was not valid');
    expect(res.body).toContain('body.outcome');
  });

  it('answers a page a role may not open with the styled 403 page', async () => {
    const res = await api.app.inject({ url: '/audit', headers: { cookie } });
    expect(res.statusCode).toBe(403);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(heading(res.body)).toBe('You do not have access to this');
  });

  it('answers an item of no school of theirs with the styled 404 page', async () => {
    const res = await api.app.inject({
      url: '/comments/00000000-0000-4000-8000-000000000000',
      headers: { cookie },
    });
    expect(res.statusCode).toBe(404);
    expect(heading(res.body)).toBe('Not found');
  });
});
