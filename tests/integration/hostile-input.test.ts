import { createHash, randomUUID } from 'node:crypto';
import fc from 'fast-check';
import type { RouteOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { buildTestApp, type TestApp } from '../helpers/build-test-app.js';
import { type SignedIn, signIn } from '../helpers/sign-in.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';
import { clearRedisPrefix } from '../helpers/test-redis.js';
import { MATRIX_CONFIG, type MatrixSchool, matrixSchool } from './access-matrix-fixture.js';

/**
 * No input answers 5xx (issue 21). Every route the app registers is driven with hostile input —
 * NUL, unpaired surrogates, 100k characters, RTL overrides, SQL and HTML metacharacters, extreme
 * numbers and dates, malformed cursors, ids that are not uuids or are another school's — in its
 * path, query and body, as a trust admin, as a staff member and signed out. Routes in the OpenAPI
 * document are driven from their documented schemas; the rest (pages, form posts, the queue
 * dashboard) from the schemas they were registered with, so a new route is covered without being
 * listed. Seeded per route: a failure prints the route and the input, and reproduces.
 */

type Schema = {
  type?: string | string[];
  format?: string;
  enum?: unknown[];
  const?: unknown;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
  $ref?: string;
};
interface Operation {
  parameters?: { in: string; name: string; schema?: Schema }[];
  requestBody?: { content?: Record<string, { schema?: Schema }> };
}
interface Target {
  key: string;
  method: string;
  url: string;
  pathParams: Record<string, Schema | undefined>;
  query: Schema | undefined;
  body: Schema | undefined;
  /** How the body goes: JSON for the API, form-encoded for pages, iCalendar where that is taken. */
  encoding: 'json' | 'form' | 'calendar';
}
interface Request {
  /** An Origin header, or none: `null` is what a browser sends from a sandboxed or no-referrer page. */
  origin: string | undefined;
  path: Record<string, string>;
  query: Record<string, unknown>;
  body: unknown;
}

/** Streams never end by themselves: they are called signed out only (a 401 ends them). */
const STREAMS = new Set(['GET /api/inbox/events']);
/** Sign-out ends the session the run uses; it is covered signed out, and by its own tests. */
const ENDS_SESSION = new Set(['POST /auth/sign-out']);
const RUNS_SIGNED_IN = 30;
const RUNS_SIGNED_OUT = 6;

const HOSTILE_STRINGS = [
  '',
  ' ',
  '%00',
  'x'.repeat(100_000),
  '\u202Eevil\u202C',
  '\u200F\u202Bمرحبا',
  "' OR 1=1; --",
  "'); DROP TABLE comments; --",
  '"\\',
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a template-injection probe, on purpose
  '{{7*7}}${7*7}',
  '../../../../etc/passwd',
  '\uFEFF\u200B',
  '🏫👩‍🏫',
  'null',
  'undefined',
  '-1',
  '1e309',
  'NaN',
  '[object Object]',
  '__proto__',
];
const EXTREME_NUMBERS = [
  0,
  -0,
  -1,
  1,
  1.5,
  2 ** 31,
  2 ** 53 + 2,
  -(2 ** 63),
  1e308,
  -1e308,
  Number.MIN_VALUE,
];
const EXTREME_DATES = [
  '0000-01-01',
  '0001-01-01T00:00:00Z',
  '-000001-01-01T00:00:00.000Z',
  '+275760-09-13T00:00:00.000Z',
  '9999-12-31',
  '9999-12-31T23:59:59.999Z',
  '10000-01-01',
  '+010000-01-01T00:00:00.000Z',
  '1969-12-31T23:59:59Z',
  '2026-02-30',
  '2026-13-45',
  '2026-06-01T25:61:61Z',
  '99999999',
  '-8640000000000001',
];

/** Text a field would take, so that the one hostile field of a run gets past the others. */
const PLAUSIBLE_TEXT = ['Thank you, we will be in touch', 'Abuse aimed at staff', 'Parents', 'x'];

/** Inbox and notification cursors are `when|id`; these are nearly right. */
const CURSORS = [
  '2026-01-01T00:00:00.000Z|not-a-uuid',
  '+275760-09-13T00:00:00.000Z|00000000-0000-0000-0000-000000000000',
  '0000-01-01T00:00:00.000Z|00000000-0000-0000-0000-000000000000',
  '-000001-01-01T00:00:00.000Z|00000000-0000-0000-0000-000000000000',
  '2026-01-01|1',
  '|',
  'x|y|z',
  '2026-01-01T00:00:00.000Z|',
  'eyJhdCI6IngiLCJpZCI6InkifQ',
];

const NUL_STRINGS = ['a\u0000b', '\u0000', 'Thank you\u0000'];
const SURROGATE_STRINGS = ['\uD800', 'x\uDFFFy', 'end\uDBFF'];
const hostileString = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...NUL_STRINGS) },
  { weight: 1, arbitrary: fc.tuple(fc.string(), fc.string()).map(([x, y]) => `${x}\u0000${y}`) },
  { weight: 1, arbitrary: fc.constantFrom(...SURROGATE_STRINGS) },
  { weight: 4, arbitrary: fc.constantFrom(...HOSTILE_STRINGS) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
);
const extremeNumber = fc.oneof(fc.constantFrom(...EXTREME_NUMBERS), fc.integer(), fc.double({ noNaN: true }));
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: hostileString },
  { weight: 1, arbitrary: extremeNumber },
  { weight: 1, arbitrary: fc.constantFrom(null, true, [], {}, [null], { a: '\u0000' }) },
);

function seedOf(key: string): number {
  return createHash('sha256').update(key).digest().readInt32BE(0);
}

let t: TestDatabase;
let api: TestApp;
let a: MatrixSchool;
let b: MatrixSchool;
const registered: RouteOptions[] = [];
let targets: Target[] = [];
/** What a run can name by id, per kind: school A's (to get past the lookup) and school B's. */
type Kind =
  | 'school'
  | 'account'
  | 'comment'
  | 'user'
  | 'action'
  | 'response'
  | 'escalation'
  | 'webhook'
  | 'entry'
  | 'notification';
let idsOf: Record<'a' | 'b', Record<Kind, string>>;
/** Every field name any route takes: a form post without a schema reads its fields by name. */
let formFields: string[] = [];

const MALFORMED_IDS = [
  'not-a-uuid',
  '00000000-0000-0000-0000-000000000000',
  randomUUID(),
  `${randomUUID()}x`,
  '1',
  '-1',
  "1' OR '1'='1",
];

beforeAll(async () => {
  t = await createTestDatabase();
  api = await buildTestApp(t.db, {
    configOverrides: MATRIX_CONFIG,
    onRoute: (route: RouteOptions) => {
      registered.push(route);
    },
  });
  a = await matrixSchool(t.db, api.config);
  b = await matrixSchool(t.db, api.config, a.school.trustId);
  const fixtures = async (s: MatrixSchool): Promise<Record<Kind, string>> => ({
    school: s.school.id,
    account: s.account.id,
    comment: s.comment.id,
    user: s.victim.id,
    action: (await s.freshProposal()).id,
    response: (await s.freshPendingReply()).id,
    escalation: (await s.freshEscalation()).id,
    webhook: await s.freshWebhook(),
    entry: await s.freshLexiconEntry(),
    notification: s.note.account_admin,
  });
  idsOf = { a: await fixtures(a), b: await fixtures(b) };

  const doc = (await api.app.inject({ url: '/docs/json' })).json() as {
    paths: Record<string, Record<string, Operation>>;
    components?: { schemas?: Record<string, Schema> };
  };
  targets = buildTargets(doc);
  formFields = [
    ...new Set([
      ...targets.flatMap((x) => Object.keys(x.body?.properties ?? {})),
      ...(await fieldsOnPages()),
    ]),
  ].filter((f) => f !== '_csrf');
}, 120_000);

/**
 * The field names of every form on every page, read from the pages as school A's trust admin and
 * account admin see them: the form posts that read their fields by name get those names.
 */
async function fieldsOnPages(): Promise<string[]> {
  const names = new Set<string>();
  for (const who of ['trust_admin', 'account_admin', 'senior_leader'] as const) {
    const session = await signIn(t.db, a.users[who].id);
    for (const target of targets) {
      if (target.method !== 'GET' || target.encoding !== 'form' || target.url.startsWith('/admin/')) continue;
      const url = target.url.replace(/:(\w+)/g, (_m, name: string) => {
        const kind = kindOf(name, target.url);
        return kind ? idsOf.a[kind] : idsOf.a.school;
      });
      const res = await api.app.inject({ url, headers: session.headers });
      for (const m of res.body.matchAll(/\sname="([\w.-]+)"/g)) names.add(m[1]!);
    }
  }
  return [...names];
}

afterAll(async () => {
  if (api) await clearRedisPrefix(api.config.redisPrefix);
  await api?.close();
  await t?.drop();
});

/** `/api/x/{id}` (OpenAPI) and `/api/x/:id` (Fastify) name the same route. */
const fastifyPath = (openApiPath: string) => openApiPath.replace(/\{([^}]+)\}/g, ':$1');
const isPage = (url: string) =>
  !['/api/', '/auth/', '/admin/queues/api/', '/docs', '/metrics', '/healthz', '/readyz'].some((p) =>
    url.startsWith(p),
  );

function toJsonSchema(schema: unknown): Schema | undefined {
  if (!(schema instanceof z.ZodType)) return undefined;
  try {
    return z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Schema;
  } catch {
    return undefined;
  }
}

function buildTargets(doc: {
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, Schema> };
}): Target[] {
  const out: Target[] = [];
  const documented = new Set<string>();
  const deref = (s: Schema | undefined): Schema | undefined => {
    if (!s?.$ref) return s;
    return doc.components?.schemas?.[s.$ref.split('/').pop() ?? ''];
  };
  for (const [path, operations] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(operations)) {
      const url = fastifyPath(path);
      const key = `${method.toUpperCase()} ${url}`;
      documented.add(key);
      const params = op.parameters ?? [];
      const query: Schema = { type: 'object', properties: {}, required: [] };
      const pathParams: Record<string, Schema | undefined> = {};
      for (const p of params) {
        if (p.in === 'path') pathParams[p.name] = deref(p.schema);
        if (p.in === 'query') query.properties![p.name] = deref(p.schema) ?? {};
      }
      const content = op.requestBody?.content ?? {};
      const calendar = Object.keys(content).some((c) => c.startsWith('text/calendar'));
      out.push({
        key,
        method: method.toUpperCase(),
        url,
        pathParams,
        query,
        body: deref(content['application/json']?.schema ?? Object.values(content)[0]?.schema),
        encoding: calendar ? 'calendar' : 'json',
      });
    }
  }
  // Everything else the app answers: pages, their form posts, the queue dashboard.
  for (const route of registered) {
    for (const method of [route.method].flat()) {
      const key = `${method} ${route.url}`;
      if (method === 'HEAD' || documented.has(key) || route.url.startsWith('/docs')) continue;
      const schema = (route.schema ?? {}) as Record<string, unknown>;
      const params = toJsonSchema(schema.params);
      const names = [...route.url.matchAll(/:(\w+)|\*/g)].map((m) => m[1] ?? '*');
      out.push({
        key,
        method,
        url: route.url,
        pathParams: Object.fromEntries(names.map((n) => [n, params?.properties?.[n]])),
        query: toJsonSchema(schema.querystring),
        body: toJsonSchema(schema.body),
        encoding: isPage(route.url) ? 'form' : 'json',
      });
    }
  }
  return out.filter((x, i) => out.findIndex((y) => y.key === x.key) === i);
}

/** Names that say what a string holds, for values that get past a schema to the query. */
function hintedString(name: string): fc.Arbitrary<unknown> | null {
  if (/^(after|before|cursor)$/i.test(name)) return fc.constantFrom(...CURSORS, ...EXTREME_DATES);
  if (/^(from|to|since|until|date|.*At)$/.test(name)) return fc.constantFrom(...EXTREME_DATES);
  return null;
}

const KIND_OF_SEGMENT: Record<string, Kind> = {
  schools: 'school',
  accounts: 'account',
  comments: 'comment',
  users: 'user',
  actions: 'action',
  responses: 'response',
  replies: 'response',
  safeguarding: 'escalation',
  webhooks: 'webhook',
  lexicon: 'entry',
  terms: 'entry',
  notifications: 'notification',
};

/** The kind of object a parameter names: from its name, else from the path segment before it. */
function kindOf(name: string, url = ''): Kind | null {
  const named = name.replace(/Ids?$/, '');
  if (named && named !== name) {
    const byName = (Object.values(KIND_OF_SEGMENT) as string[]).find((k) => k === named);
    if (byName) return byName as Kind;
    if (named === 'assignee' || named === 'actor') return 'user';
    if (named === 'comment') return 'comment';
  }
  const segments = url.split('/');
  const at = segments.indexOf(`:${name}`);
  return at > 0 ? (KIND_OF_SEGMENT[segments[at - 1] ?? ''] ?? null) : null;
}

/** An id for a parameter: mostly the right kind of school A's, sometimes B's, or malformed. */
function idFor(name: string, url = ''): fc.Arbitrary<string> {
  const kind = kindOf(name, url);
  const any = (side: 'a' | 'b') => fc.constantFrom(...Object.values(idsOf[side]));
  return fc.oneof(
    { weight: 4, arbitrary: kind ? fc.constant(idsOf.a[kind]) : any('a') },
    { weight: 1, arbitrary: kind ? fc.constant(idsOf.b[kind]) : any('b') },
    { weight: 1, arbitrary: fc.constantFrom(...MALFORMED_IDS) },
    { weight: 1, arbitrary: hostileString },
  );
}

function stringFor(schema: Schema, name: string): fc.Arbitrary<unknown> {
  const hinted = hintedString(name);
  if (hinted) return fc.oneof({ weight: 3, arbitrary: hinted }, hostileString);
  switch (schema.format) {
    case 'uuid':
      return idFor(name);
    case 'date':
    case 'date-time':
      return fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...EXTREME_DATES) }, hostileString);
    case 'email':
      return fc.oneof(
        fc.constantFrom('someone@school.test', 'a\u0000b@school.test', `${'x'.repeat(300)}@school.test`),
        hostileString,
      );
    case 'uri':
      return fc.oneof(
        fc.constantFrom(
          'https://hooks.slack.com/services/T/B/x',
          'http://127.0.0.1:6379/',
          'http://[::1]/',
          'javascript:alert(1)',
          'https://example.test/\u0000',
        ),
        hostileString,
      );
    default:
      if (kindOf(name)) return idFor(name);
      return fc.oneof(
        { weight: 4, arbitrary: fc.constantFrom(...PLAUSIBLE_TEXT) },
        { weight: 3, arbitrary: hostileString },
        { weight: 1, arbitrary: idFor(name) },
        { weight: 1, arbitrary: fc.constantFrom(...EXTREME_DATES, ...CURSORS) },
      );
  }
}

/** A value for a schema: mostly of its shape (to get past the schema), with hostile content. */
function arbitraryFor(schema: Schema | undefined, depth = 0, name = ''): fc.Arbitrary<unknown> {
  if (!schema || depth > 5) return hostileValue;
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives?.length) return fc.oneof(...alternatives.map((s) => arbitraryFor(s, depth + 1, name)));
  if (schema.allOf?.length) return arbitraryFor(Object.assign({}, ...schema.allOf), depth + 1, name);
  if (schema.const !== undefined)
    return fc.oneof({ weight: 3, arbitrary: fc.constant(schema.const) }, hostileValue);
  if (schema.enum?.length)
    return fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...schema.enum) }, hostileValue);
  switch ([schema.type].flat()[0]) {
    case 'string':
      return stringFor(schema, name);
    case 'integer':
    case 'number':
      return fc.oneof(
        { weight: 3, arbitrary: fc.integer({ min: 1, max: 48 }) },
        { weight: 2, arbitrary: extremeNumber },
        { weight: 1, arbitrary: hostileValue },
      );
    case 'boolean':
      return fc.oneof({ weight: 3, arbitrary: fc.boolean() }, hostileValue);
    case 'array':
      return fc.oneof(
        {
          weight: 3,
          arbitrary: fc.array(arbitraryFor(schema.items, depth + 1, name), { minLength: 1, maxLength: 3 }),
        },
        hostileValue,
      );
    case 'null':
      return fc.constant(null);
    case 'object': {
      const properties = schema.properties ?? {};
      return fc.record(
        Object.fromEntries(Object.entries(properties).map(([k, s]) => [k, arbitraryFor(s, depth + 1, k)])),
        { requiredKeys: (schema.required ?? []).filter((k) => k in properties) },
      );
    }
    default:
      return hostileValue;
  }
}

/** A form post's fields: those of its schema, else every field name any route takes. */
function formArbitrary(target: Target): fc.Arbitrary<unknown> {
  if (target.body?.properties) return arbitraryFor(target.body);
  return fc
    .subarray(formFields, { maxLength: 12 })
    .chain((names) =>
      fc.record(
        Object.fromEntries(
          names.map((name) => [
            name,
            fc.oneof(
              { weight: 3, arbitrary: stringFor({}, name) },
              { weight: 1, arbitrary: fc.constantFrom('on', 'approve', 'reject', 'close', '24') },
            ),
          ]),
        ),
      ),
    );
}

const ICS_EVENT = (summary: string, start: string) =>
  `BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:${summary}\r\nSUMMARY:${summary}\r\nDTSTART;VALUE=DATE:${start}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n`;

function requestArbitrary(target: Target): fc.Arbitrary<Request> {
  const path = fc.record(
    Object.fromEntries(
      Object.entries(target.pathParams).map(([name, schema]) => [
        name,
        schema?.format === 'uuid' || !schema || kindOf(name, target.url)
          ? idFor(name, target.url)
          : (arbitraryFor(schema, 0, name).map(String) as fc.Arbitrary<string>),
      ]),
    ),
  ) as fc.Arbitrary<Record<string, string>>;
  const query = (target.query?.properties ? arbitraryFor(target.query) : fc.constant({})) as fc.Arbitrary<
    Record<string, unknown>
  >;
  const body: fc.Arbitrary<unknown> =
    target.method === 'GET' || target.method === 'DELETE'
      ? fc.constant(undefined)
      : target.encoding === 'calendar'
        ? fc
            .tuple(hostileString, fc.constantFrom('20260101', '00000101', '99991231', '1', 'x\u0000'))
            .map(([s, d]) => ICS_EVENT(s, d))
        : target.encoding === 'form'
          ? formArbitrary(target)
          : arbitraryFor(target.body);
  const origin = fc.constantFrom(undefined, 'null', 'http://evil.test', 'not a url', 'http://localhost:3000');
  return fc.record({ origin, path, query, body });
}

/**
 * Percent-encodes as a hostile client can: an unpaired surrogate goes as its three WTF-8 bytes
 * (encodeURIComponent refuses it, URLSearchParams would replace it).
 */
function encode(value: string): string {
  let out = '';
  for (const ch of value) {
    const unit = ch.charCodeAt(0);
    if (ch.length === 1 && unit >= 0xd800 && unit <= 0xdfff) {
      out += [0xe0 | (unit >> 12), 0x80 | ((unit >> 6) & 0x3f), 0x80 | (unit & 0x3f)]
        .map((byte) => `%${byte.toString(16).toUpperCase()}`)
        .join('');
    } else out += encodeURIComponent(ch);
  }
  return out;
}

/** `a=1&b=2&b=3` from an object of values; arrays repeat their key, objects go as JSON. */
function encodePairs(values: Record<string, unknown>, first: [string, string][] = []): string {
  const pairs = [...first];
  for (const [k, v] of Object.entries(values ?? {})) {
    for (const item of Array.isArray(v) ? v : [v]) {
      if (item === undefined) continue;
      pairs.push([k, typeof item === 'object' && item !== null ? JSON.stringify(item) : String(item)]);
    }
  }
  return pairs.map(([k, v]) => `${encode(k)}=${encode(v)}`).join('&');
}

async function send(target: Target, input: Request, session: SignedIn | null) {
  const url =
    target.url.replace(/:(\w+)|\*/g, (_m, name: string | undefined) =>
      encode(input.path[name ?? '*'] ?? 'x'),
    ) + (Object.keys(input.query ?? {}).length ? `?${encodePairs(input.query)}` : '');
  const headers: Record<string, string> = session ? { ...session.headers } : {};
  if (input.origin !== undefined) headers.origin = input.origin;
  let payload: string | undefined;
  if (input.body !== undefined) {
    if (target.encoding === 'form') {
      const csrf: [string, string][] = session ? [['_csrf', session.csrfToken]] : [];
      payload = encodePairs((input.body ?? {}) as Record<string, unknown>, csrf);
      headers['content-type'] = 'application/x-www-form-urlencoded';
    } else if (target.encoding === 'calendar') {
      payload = String(input.body);
      headers['content-type'] = 'text/calendar';
    } else {
      payload = JSON.stringify(input.body);
      headers['content-type'] = 'application/json';
    }
  }
  const answer = api.app.inject({
    method: target.method as 'GET',
    url,
    headers,
    ...(payload ? { payload } : {}),
  });
  const timeout = new Promise<never>((_, reject) =>
    setTimeout(
      () => reject(new Error(`${target.key} did not answer in 10 s (a stream? add it to STREAMS)`)),
      10_000,
    ).unref(),
  );
  return Promise.race([answer, timeout]);
}

function describeInput(input: Request): string {
  return JSON.stringify(input, (_k, v) =>
    typeof v === 'string' && v.length > 200 ? `${v.slice(0, 40)}…(${v.length} chars)` : v,
  );
}

async function fuzz(who: 'trust_admin' | 'account_admin' | null, runs: number) {
  const failures: string[] = [];
  for (const target of targets) {
    if (who && (STREAMS.has(target.key) || ENDS_SESSION.has(target.key))) continue;
    const session = who ? await signIn(t.db, a.users[who].id) : null;
    const result = await fc.check(
      fc.asyncProperty(requestArbitrary(target), async (input) => {
        const res = await send(target, input, session);
        if (res.statusCode >= 500) throw new Error(`${res.statusCode} ${res.body.slice(0, 300)}`);
      }),
      { seed: seedOf(`${target.key} ${who}`), numRuns: runs, endOnFailure: true },
    );
    if (result.failed) {
      const input = result.counterexample ? describeInput(result.counterexample[0]) : '?';
      const error =
        result.errorInstance instanceof Error ? result.errorInstance.message : String(result.errorInstance);
      failures.push(
        `${target.key} as ${who ?? 'signed out'} (seed ${result.seed}): ${error}\n    input: ${input}`,
      );
    }
  }
  return failures;
}

describe('hostile input never answers 5xx', () => {
  it('drives every registered route, documented or not', () => {
    const keys = new Set(targets.map((x) => x.key));
    const missing = registered
      .flatMap((r) => [r.method].flat().map((m) => `${m} ${r.url}`))
      .filter((k) => !k.startsWith('HEAD ') && !k.includes(' /docs') && !keys.has(k));
    expect(missing).toEqual([]);
    expect(targets.length).toBeGreaterThan(100);
    expect(targets.some((x) => x.encoding === 'form' && x.method === 'POST')).toBe(true);
    // Read off the pages' forms, not from any schema: the staff forms' own fields.
    expect(formFields).toEqual(expect.arrayContaining(['closures', 'ics', 'note', 'reason', 'text']));
  });

  it.each([
    ['signed out', null, RUNS_SIGNED_OUT],
    ['a trust admin', 'trust_admin', RUNS_SIGNED_IN],
    ['a staff member (comms, account admin)', 'account_admin', RUNS_SIGNED_IN],
  ] as const)(
    'as %s',
    async (_label, who, runs) => {
      const failures = await fuzz(who, runs);
      expect(failures, failures.join('\n')).toEqual([]);
    },
    120_000,
  );
});
