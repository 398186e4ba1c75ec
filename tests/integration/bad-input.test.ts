import type { RouteOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/build-test-app.js';
import type { SignedIn } from '../helpers/sign-in.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';
import { clearRedisPrefix } from '../helpers/test-redis.js';
import { type MatrixSchool, matrixSchool, signInAll, type Who } from './access-matrix-fixture.js';

/**
 * Bad input answers 4xx naming what was wrong, never 500 (issue 21), and a signed-out caller is
 * refused before any route's schema is read (issue 21, item 11). The property test
 * (hostile-input.test.ts) drives every route; these are the cases the outside attack found.
 */

let t: TestDatabase;
let api: TestApp;
let a: MatrixSchool;
let sessions: Record<Who, SignedIn>;
const routes: RouteOptions[] = [];

beforeAll(async () => {
  t = await createTestDatabase();
  api = await buildTestApp(t.db, { onRoute: (route) => void routes.push(route) });
  a = await matrixSchool(t.db, api.config);
  sessions = await signInAll(t.db, a);
}, 60_000);
afterAll(async () => {
  if (api) await clearRedisPrefix(api.config.redisPrefix);
  await api?.close();
  await t?.drop();
});

const NUL = 'before\u0000after';

function json(who: Who, method: string, url: string, payload?: unknown) {
  return api.app.inject({
    method: method as 'POST',
    url,
    headers: sessions[who].headers,
    ...(payload !== undefined ? { payload: payload as object } : {}),
  });
}

function form(who: Who, url: string, fields: Record<string, string>) {
  const body = new URLSearchParams({ _csrf: sessions[who].csrfToken, ...fields });
  return api.app.inject({
    method: 'POST',
    url,
    headers: { cookie: sessions[who].headers.cookie, 'content-type': 'application/x-www-form-urlencoded' },
    payload: body.toString(),
  });
}

interface Case {
  who: Who;
  method: 'GET' | 'POST' | 'PUT';
  build: () => Promise<{ url: string; payload?: object }> | { url: string; payload?: object };
  field: string;
}

const NUL_CASES: Record<string, Case> = {
  'audit search filter': {
    who: 'trust_admin',
    method: 'GET',
    build: () => ({ url: `/api/audit?q=${encodeURIComponent(NUL)}` }),
    field: 'querystring.q',
  },
  'audit export filter': {
    who: 'auditor',
    method: 'GET',
    build: () => ({ url: `/api/audit/export?subjectId=${encodeURIComponent(NUL)}` }),
    field: 'querystring.subjectId',
  },
  'a response text': {
    who: 'comms',
    method: 'POST',
    build: () => ({
      url: `/api/comments/${a.comment.id}/responses`,
      payload: { kind: 'public_reply', text: NUL },
    }),
    field: 'body.text',
  },
  'an escalation reason': {
    who: 'account_admin',
    method: 'POST',
    build: () => ({
      url: `/api/comments/${a.comment.id}/escalations`,
      payload: { kind: 'senior_leader', reason: NUL },
    }),
    field: 'body.reason',
  },
  'an escalation reference': {
    who: 'account_admin',
    method: 'POST',
    build: () => ({
      url: `/api/comments/${a.comment.id}/escalations`,
      payload: { kind: 'police', reason: 'Threats', externalReference: NUL },
    }),
    field: 'body.externalReference',
  },
  'an action rejection reason': {
    who: 'account_admin',
    method: 'POST',
    build: async () => ({
      url: `/api/actions/${(await a.freshProposal()).id}/reject`,
      payload: { reason: NUL },
    }),
    field: 'body.reason',
  },
  'a display name': {
    who: 'trust_admin',
    method: 'POST',
    build: () => ({
      url: '/api/users',
      payload: {
        email: 'nul@school.test',
        displayName: NUL,
        roles: [{ schoolId: a.school.id, role: 'comms' }],
      },
    }),
    field: 'body.displayName',
  },
  'a webhook label': {
    who: 'trust_admin',
    method: 'POST',
    build: () => ({
      url: `/api/schools/${a.school.id}/webhooks`,
      payload: { kind: 'slack', label: NUL, url: 'https://hooks.slack.com/services/T/B/x' },
    }),
    field: 'body.label',
  },
  'a subject access handle': {
    who: 'trust_admin',
    method: 'POST',
    build: () => ({ url: '/api/audit/subject-access', payload: { handle: NUL } }),
    field: 'body.handle',
  },
  'a policy version label': {
    who: 'senior_leader',
    method: 'PUT',
    build: () => ({
      url: `/api/schools/${a.school.id}/policy`,
      payload: { versionLabel: NUL, documentUrl: 'https://school.test/policy.pdf' },
    }),
    field: 'body.versionLabel',
  },
  'a field name': {
    who: 'comms',
    method: 'POST',
    build: () => ({
      url: `/api/comments/${a.comment.id}/responses`,
      payload: { kind: 'public_reply', text: 'Hi', [NUL]: 1 },
    }),
    field: 'body: a field name',
  },
};

describe('a NUL character answers 400 naming the field, wherever it is sent', () => {
  it.each(Object.entries(NUL_CASES))('%s', async (_what, { who, method, build, field }) => {
    const { url, payload } = await build();
    const res = await json(who, method, url, payload);
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toContain(field);
    expect(res.json().message).toContain('NUL');
  });

  it('in an iCalendar import', async () => {
    const res = await api.app.inject({
      method: 'POST',
      url: `/api/schools/${a.school.id}/calendar/ical`,
      headers: { ...sessions.senior_leader.headers, 'content-type': 'text/calendar' },
      payload: `BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nSUMMARY:${NUL}\r\nDTSTART;VALUE=DATE:20261221\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n`,
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toMatch(/^body: contains a NUL/);
  });

  it('as an unpaired surrogate, which is not text either', async () => {
    const res = await api.app.inject({
      method: 'POST',
      url: `/api/comments/${a.comment.id}/responses`,
      headers: { ...sessions.comms.headers, 'content-type': 'application/json' },
      payload: '{"kind":"public_reply","text":"half a pair: \\ud800"}',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toContain('body.text: contains an unpaired surrogate');
  });

  // The form posts answer a page the person can read, not a JSON body.
  it.each([
    [
      'reply',
      'comms',
      () => `/comments/${a.comment.id}/reply`,
      { kind: 'public_reply', text: NUL },
      'body.text',
    ],
    ['close', 'comms', () => `/comments/${a.comment.id}/close`, { reason: NUL }, 'body.reason'],
    [
      'escalate',
      'account_admin',
      () => `/comments/${a.comment.id}/escalate`,
      { kind: 'senior_leader', reason: NUL },
      'body.reason',
    ],
    [
      'act',
      'account_admin',
      () => `/comments/${a.comment.id}/act`,
      { kind: 'hide', reasonCategory: 'abusive', reasonText: NUL },
      'body.reasonText',
    ],
    [
      'calendar',
      'senior_leader',
      () => `/schools/${a.school.id}/settings/calendar`,
      { region: 'england-and-wales', closures: NUL },
      'body.closures',
    ],
    [
      'calendar import',
      'senior_leader',
      () => `/schools/${a.school.id}/settings/calendar/ical`,
      { ics: NUL },
      'body.ics',
    ],
  ] as const)('in the %s form, as a page that says which field', async (_what, who, url, fields, field) => {
    const res = await form(who, url(), fields);
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toContain('text/html');
    expect(res.body).toContain('That request was not valid');
    expect(res.body).toContain(field);
  });
});

describe('the sign-in form', () => {
  it('answers a NUL in the email with a page that names the field', async () => {
    const res = await api.app.inject({
      method: 'POST',
      url: '/auth/sign-in',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: api.config.publicUrl },
      payload: new URLSearchParams({ email: `a${NUL}@school.test`, password: 'x' }).toString(),
    });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toContain('text/html');
    expect(res.body).toContain('body.email: contains a NUL character');
  });
});

describe('dates and cursors Postgres cannot take answer 400 naming the parameter', () => {
  it.each([
    ['/api/audit?from=0000-01-01', 'from'],
    ['/api/audit?from=%2B275760-09-13T00:00:00.000Z', 'from'],
    ['/api/audit?to=10000-01-01', 'to'],
    ['/api/audit?to=-000001-01-01T00:00:00.000Z', 'to'],
    ['/api/audit/export?from=0000-01-01', 'from'],
  ])('audit filter %s', async (url, field) => {
    const res = await json('trust_admin', 'GET', url);
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toContain(field);
    expect(res.json().message).toContain('between the years 1 and 9999');
  });

  it('the deadline report, in the API and on its page', async () => {
    const res = await json(
      'trust_admin',
      'GET',
      `/api/schools/${a.school.id}/reports/deadlines?from=0000-01-01&to=0000-01-01`,
    );
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toContain('querystring.from: must be a date between the years 1 and 9999');
    const page = await json('trust_admin', 'GET', `/deadlines?schoolId=${a.school.id}&from=0000-01-01`);
    expect(page.statusCode).toBe(400);
    expect(page.body).toContain('querystring.from: must be a date between the years 1 and 9999');
  });

  it('the audit page leaves out a filter it cannot use, as it does any invalid filter', async () => {
    const res = await json('trust_admin', 'GET', '/audit?from=0000-01-01');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/html');
  });

  it.each([
    '2026-01-01T00:00:00.000Z|not-a-uuid',
    '%2B275760-09-13T00:00:00.000Z|00000000-0000-0000-0000-000000000000',
    '0000-01-01T00:00:00.000Z|00000000-0000-0000-0000-000000000000',
    'nonsense',
  ])('inbox cursor after=%s, in the API and on the page', async (after) => {
    const res = await json('comms', 'GET', `/api/inbox?after=${after}`);
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toContain('after');
    const page = await json('comms', 'GET', `/?after=${after}`);
    expect(page.statusCode).toBe(400);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.body).toContain('after must be the cursor from the previous page');
  });
});

describe('the queue dashboard', () => {
  it('refuses a pause from `Origin: null` with 403 naming the Origin', async () => {
    const res = await api.app.inject({
      method: 'PUT',
      url: '/admin/queues/api/queues/pause',
      headers: { cookie: sessions.trust_admin.headers.cookie, origin: 'null' },
    });
    expect(res.statusCode).toBe(403);
    expect(res.json().message).toContain('Origin');
  });
});

describe('sign-in is checked before input (item 11)', () => {
  const needsSession = () =>
    routes
      .filter((r) => r.config?.signIn !== false && !r.url.startsWith('/docs'))
      .flatMap((r) => [r.method].flat().map((method) => ({ method, url: r.url })))
      .filter((r) => r.method !== 'HEAD');

  it('covers every route that needs a session', () => {
    expect(needsSession().length).toBeGreaterThan(100);
  });

  it('answers a signed-out caller 401 or a 303 to /login, never the schema', async () => {
    const told: string[] = [];
    for (const { method, url } of needsSession()) {
      const path = `${url.replace(/:\w+|\*/g, 'not-a-uuid')}?limit=many&after=x&from=yesterday`;
      for (const payload of [
        { json: { unexpected: ['field'], kind: 42 } },
        { form: `kind=42&text=${'x'.repeat(20_000)}` },
      ]) {
        const res = await api.app.inject({
          method: method as 'POST',
          url: path,
          ...(method === 'GET' || method === 'DELETE'
            ? {}
            : 'json' in payload
              ? { payload: payload.json }
              : {
                  payload: payload.form,
                  headers: { 'content-type': 'application/x-www-form-urlencoded' },
                }),
        });
        const ok = res.statusCode === 401 || (res.statusCode === 303 && res.headers.location === '/login');
        if (!ok) told.push(`${method} ${url}: ${res.statusCode} ${res.body.slice(0, 120)}`);
      }
    }
    expect(told).toEqual([]);
  });
});
