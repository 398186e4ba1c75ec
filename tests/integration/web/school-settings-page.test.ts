import { Writable } from 'node:stream';
import { eq } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rosterEntries, schoolLexiconEntries, schools } from '../../../db/schema/index.js';
import { buildApp } from '../../../services/api/build-app.js';
import { createProducerRedis } from '../../../services/core/redis-connections.js';
import { expectAuditEntry } from '../../helpers/expect-audit-entry.js';
import { createUser } from '../../helpers/factories.js';
import { type SignedIn, signIn } from '../../helpers/sign-in.js';
import { testConfig } from '../../helpers/test-config.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';
import { staffScene } from './staff-fixture.js';

let t: TestDatabase;
let app: FastifyInstance;
let redis: ReturnType<typeof createProducerRedis>;
/** Everything the app logged, at trace level: pupils' names must never appear in it. */
let logged = '';
let a: Awaited<ReturnType<typeof staffScene>>;
let b: Awaited<ReturnType<typeof staffScene>>;
let trustAdmin: { id: string };

const PUPIL_FIRST = 'Zephyrine';
const PUPIL_LAST = 'Quillfeather';

beforeAll(async () => {
  t = await createTestDatabase();
  const config = testConfig();
  redis = createProducerRedis(config.redisUrl);
  const sink = new Writable({
    write(chunk, _enc, done) {
      logged += chunk.toString();
      done();
    },
  });
  app = await buildApp(config, { db: t.db, redis, logger: { level: 'trace', stream: sink } });
  await app.ready();
  a = await staffScene(t.db);
  b = await staffScene(t.db, { trustId: a.school.trustId });
  trustAdmin = await createUser(t.db, {
    trustId: a.school.trustId,
    displayName: 'Trust Admin',
    roles: [
      { schoolId: a.school.id, role: 'trust_admin' },
      { schoolId: b.school.id, role: 'trust_admin' },
    ],
  });
});
afterAll(async () => {
  await app.close();
  redis.disconnect();
  await t.drop();
});

async function open(userId: string, url: string) {
  const session = await signIn(t.db, userId);
  return app.inject({ url, headers: { cookie: session.headers.cookie } });
}

async function postForm(
  session: SignedIn,
  url: string,
  fields: Record<string, string | string[]>,
  csrf = true,
) {
  const body = new URLSearchParams();
  if (csrf) body.append('_csrf', session.csrfToken);
  for (const [k, v] of Object.entries(fields)) for (const x of [v].flat()) body.append(k, x);
  return app.inject({
    method: 'POST',
    url,
    headers: { cookie: session.headers.cookie, 'content-type': 'application/x-www-form-urlencoded' },
    payload: body.toString(),
  });
}

/** Follows a 303 as the browser would, carrying the flash cookie it set. */
async function follow(session: SignedIn, res: Awaited<ReturnType<typeof postForm>>) {
  expect(res.statusCode).toBe(303);
  const setCookie = [res.headers['set-cookie'] ?? []].flat().find((c) => c.startsWith('hm_flash='));
  const cookie = [session.headers.cookie, setCookie?.split(';')[0]].filter(Boolean).join('; ');
  return app.inject({ url: String(res.headers.location), headers: { cookie } });
}

const settingsOf = (school: { id: string }) => `/schools/${school.id}/settings`;
const navLinks = (html: string) =>
  [...(html.match(/<nav class="site-nav"[\s\S]*?<\/nav>/)?.[0] ?? '').matchAll(/>([A-Za-z]+)<\/a>/g)].map(
    (m) => m[1],
  );

describe('getting to the settings page', () => {
  it('shows the Settings link to trust admins, senior leaders and safeguarding leads only', async () => {
    for (const id of [trustAdmin.id, a.senior.id, a.safeguarding.id]) {
      expect(navLinks((await open(id, '/')).body)).toContain('Settings');
    }
    for (const id of [a.comms.id, a.adminA.id, a.auditor.id]) {
      expect(navLinks((await open(id, '/')).body)).not.toContain('Settings');
    }
    const page = await open(a.senior.id, settingsOf(a.school));
    expect(page.body).toContain('<a href="/settings" aria-current="page">Settings</a>');
  });

  it('/settings leads to the school the person has settings for', async () => {
    const res = await open(a.safeguarding.id, '/settings');
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(settingsOf(a.school));
    const refused = await open(a.auditor.id, '/settings');
    expect(refused.statusCode).toBe(403);
    expect(refused.headers['content-type']).toMatch(/text\/html/);
  });

  it('refuses an auditor with the 403 page, another school with 404, and a signed-out visitor', async () => {
    const auditor = await open(a.auditor.id, settingsOf(a.school));
    expect(auditor.statusCode).toBe(403);
    expect(auditor.body).toContain('You do not have access to this');
    expect(auditor.body).toContain('may see the school&#39;s settings');
    await expectAuditEntry(t.db, {
      action: 'request.refused',
      actorId: a.auditor.id,
      details: { path: settingsOf(a.school) },
    });

    const other = await open(a.senior.id, settingsOf(b.school));
    expect(other.statusCode).toBe(404);
    expect(other.body).toContain('Not found');

    const signedOut = await app.inject({ url: settingsOf(a.school) });
    expect(signedOut.statusCode).toBe(303);
    expect(signedOut.headers.location).toBe('/login');
  });

  it('gives a trust admin every section, a link to notification settings and to their other school', async () => {
    const res = await open(trustAdmin.id, settingsOf(a.school));
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    for (const heading of ['School terms', 'Allow-list', 'Pupil roster', 'Calendar']) {
      expect(res.body).toContain(`>${heading}</h2>`);
    }
    expect(res.body).toContain(`href="/schools/${a.school.id}/notifications"`);
    expect(res.body).toContain(`href="${settingsOf(b.school)}"`);
  });
});

describe('school terms and allow-list', () => {
  it('a senior leader adds a term with category and severity, an allow-list entry, and removes one; audited', async () => {
    const session = await signIn(t.db, a.senior.id);
    const added = await follow(
      session,
      await postForm(session, `${settingsOf(a.school)}/terms`, {
        kind: 'term',
        term: 'gribbleface',
        category: 'offensive',
        severity: 'high',
      }),
    );
    expect(added.body).toContain('Added the term “gribbleface”');
    expect(added.body).toContain('offensive: school term (high)');
    const [term] = await t.db
      .select()
      .from(schoolLexiconEntries)
      .where(eq(schoolLexiconEntries.term, 'gribbleface'));
    expect(term).toMatchObject({
      kind: 'term',
      category: 'offensive',
      severity: 'high',
      schoolId: a.school.id,
    });
    await expectAuditEntry(t.db, {
      action: 'school.lexicon_changed',
      actorId: a.senior.id,
      details: { change: 'added', term: 'gribbleface' },
    });

    const allowed = await follow(
      session,
      await postForm(session, `${settingsOf(a.school)}/terms`, { kind: 'allow', term: 'Cockermouth' }),
    );
    expect(allowed.body).toContain('Added “Cockermouth” to the allow-list');

    const duplicate = await follow(
      session,
      await postForm(session, `${settingsOf(a.school)}/terms`, { kind: 'allow', term: 'cockermouth' }),
    );
    expect(duplicate.body).toContain('That allow-list entry already exists');

    const removed = await follow(
      session,
      await postForm(session, `${settingsOf(a.school)}/terms/${term!.id}/remove`, {}),
    );
    expect(removed.body).toContain('Removed');
    expect(removed.body).not.toContain('gribbleface');
    await expectAuditEntry(t.db, {
      action: 'school.lexicon_changed',
      actorId: a.senior.id,
      details: { change: 'removed', term: 'gribbleface' },
    });
  });

  it('escapes a term, refuses a safeguarding lead (403) and another school (404), and needs the CSRF token', async () => {
    const senior = await signIn(t.db, a.senior.id);
    await postForm(senior, `${settingsOf(a.school)}/terms`, {
      kind: 'allow',
      term: '<img src=x onerror=alert(1)>',
    });
    const page = await open(a.senior.id, settingsOf(a.school));
    expect(page.body).toContain('&lt;img src=x onerror=alert(1)>');
    expect(page.body).not.toContain('<img src=x');

    const dsl = await signIn(t.db, a.safeguarding.id);
    const refused = await postForm(dsl, `${settingsOf(a.school)}/terms`, { kind: 'allow', term: 'harmless' });
    expect(refused.statusCode).toBe(403);
    expect(refused.body).toContain('Only trust admin or senior leader staff');
    const elsewhere = await postForm(senior, `${settingsOf(b.school)}/terms`, {
      kind: 'allow',
      term: 'harmless',
    });
    expect(elsewhere.statusCode).toBe(404);
    const noToken = await postForm(
      senior,
      `${settingsOf(a.school)}/terms`,
      { kind: 'allow', term: 'harmless' },
      false,
    );
    expect(noToken.statusCode).toBe(403);
    const rows = await t.db
      .select()
      .from(schoolLexiconEntries)
      .where(eq(schoolLexiconEntries.term, 'harmless'));
    expect(rows).toEqual([]);
  });

  it('shows comms the lists read-only and safeguarding leads no lists', async () => {
    const comms = await open(a.comms.id, settingsOf(a.school));
    expect(comms.statusCode).toBe(200);
    expect(comms.body).toContain('Cockermouth');
    expect(comms.body).not.toContain(`action="${settingsOf(a.school)}/terms"`);
    expect(comms.body).not.toContain('Pupil roster');
    const dsl = await open(a.safeguarding.id, settingsOf(a.school));
    expect(dsl.body).not.toContain('School terms');
    expect(dsl.body).not.toContain('Cockermouth');
  });
});

describe('pupil roster', () => {
  it('a safeguarding lead imports, lists, removes and replaces the roster; names never in logs or audit', async () => {
    const session = await signIn(t.db, a.safeguarding.id);
    const csv = `first name,last name,year\n${PUPIL_FIRST},${PUPIL_LAST},Year 4\nAmira,Okafor,5\nTom,Baker,R\n`;
    const imported = await follow(
      session,
      await postForm(session, `${settingsOf(a.school)}/roster`, { csv }),
    );
    expect(imported.body).toContain('Imported 3 pupils; the roster has 3');
    expect(imported.headers['cache-control']).toBe('no-store');
    expect(imported.body).toContain('<strong>3 pupils</strong> on the roster');
    expect(imported.body).toContain(PUPIL_LAST);
    await expectAuditEntry(t.db, {
      action: 'school.roster_changed',
      actorId: a.safeguarding.id,
      details: { change: 'imported', mode: 'append', imported: 3, total: 3 },
    });

    const again = await follow(
      session,
      await postForm(session, `${settingsOf(a.school)}/roster`, { csv: 'Amira,Okafor,5\nLeo,Grant,6' }),
    );
    expect(again.body).toContain('Imported 1 pupil (1 already there); the roster has 4');

    const bad = await follow(
      session,
      await postForm(session, `${settingsOf(a.school)}/roster`, { csv: 'Amira,Okafor,5\n123,!!,6' }),
    );
    expect(bad.body).toContain('nothing was imported');
    expect(bad.body).toContain('row 2:');

    const rows = await t.db.select().from(rosterEntries).where(eq(rosterEntries.schoolId, a.school.id));
    expect(rows).toHaveLength(4);
    const ids = [...again.body.matchAll(/name="ids" value="([0-9a-f-]{36})"/g)].map((m) => m[1]!);
    expect(ids).toHaveLength(4);
    const removed = await follow(
      session,
      await postForm(session, `${settingsOf(a.school)}/roster/remove`, { ids: ids.slice(0, 2) }),
    );
    expect(removed.body).toContain('Removed 2 pupils from the roster');
    expect(removed.body).toContain('<strong>2 pupils</strong>');

    const replaced = await follow(
      session,
      await postForm(session, `${settingsOf(a.school)}/roster`, {
        csv: `${PUPIL_FIRST},${PUPIL_LAST},4B`,
        mode: 'replace',
      }),
    );
    expect(replaced.body).toContain('Imported 1 pupil; 2 removed by the replacement; the roster has 1');

    const all = await follow(
      session,
      await postForm(session, `${settingsOf(a.school)}/roster/remove`, { all: 'true' }),
    );
    expect(all.body).toContain('Removed 1 pupil from the roster');
    expect(all.body).toContain('No pupils on the roster');

    expect(logged.length).toBeGreaterThan(0);
    expect(logged).not.toContain(PUPIL_FIRST);
    expect(logged).not.toContain(PUPIL_LAST);
    const audit = await t.db.execute(
      `select count(*)::int as n from audit_entries where details::text ilike '%${PUPIL_LAST}%'`,
    );
    expect((audit.rows[0] as { n: number }).n).toBe(0);
  });

  it('refuses the roster to senior leaders and comms (403), and another school (404)', async () => {
    const senior = await open(a.senior.id, settingsOf(a.school));
    expect(senior.body).not.toContain('Pupil roster');
    for (const id of [a.senior.id, a.comms.id]) {
      const s = await signIn(t.db, id);
      const res = await postForm(s, `${settingsOf(a.school)}/roster`, { csv: 'Amy,Pond,3' });
      expect(res.statusCode).toBe(403);
      expect(res.body).toContain('Only safeguarding lead or trust admin staff');
    }
    const dsl = await signIn(t.db, a.safeguarding.id);
    expect((await postForm(dsl, `${settingsOf(b.school)}/roster`, { csv: 'Amy,Pond,3' })).statusCode).toBe(
      404,
    );
    expect(await t.db.select().from(rosterEntries)).toEqual([]);
  });
});

describe('calendar', () => {
  it('a senior leader sets the region and closures, and imports an iCalendar file; audited', async () => {
    const session = await signIn(t.db, a.senior.id);
    const saved = await follow(
      session,
      await postForm(session, `${settingsOf(a.school)}/calendar`, {
        region: 'scotland',
        closures: '2027-02-15 to 2027-02-19 February break\n2027-03-01 INSET day\n',
      }),
    );
    expect(saved.body).toContain('Calendar saved: 2 closures');
    expect(saved.body).toContain('2027-02-15 to 2027-02-19 February break');
    expect(saved.body).toContain('<option value="scotland" selected>');
    const [school] = await t.db.select().from(schools).where(eq(schools.id, a.school.id));
    expect(school!.calendar).toMatchObject({
      region: 'scotland',
      closures: [
        { from: '2027-02-15', to: '2027-02-19', label: 'February break' },
        { from: '2027-03-01', to: '2027-03-01', label: 'INSET day' },
      ],
    });
    await expectAuditEntry(t.db, { action: 'school.calendar_changed', actorId: a.senior.id });

    const badLine = await follow(
      session,
      await postForm(session, `${settingsOf(a.school)}/calendar`, {
        region: 'scotland',
        closures: 'next Tuesday',
      }),
    );
    expect(badLine.body).toContain('Closure line 1 is not');

    const ics = [
      'BEGIN:VCALENDAR',
      'VERSION:2.0',
      'BEGIN:VEVENT',
      'UID:inset-1',
      'DTSTART;VALUE=DATE:20270104',
      'DTEND;VALUE=DATE:20270105',
      'SUMMARY:INSET day',
      'END:VEVENT',
      'END:VCALENDAR',
      '',
    ].join('\r\n');
    const imported = await follow(
      session,
      await postForm(session, `${settingsOf(a.school)}/calendar/ical`, { ics }),
    );
    expect(imported.body).toContain('Imported 1 closure; the calendar has 3');
    expect(imported.body).toContain('2027-01-04 INSET day');
  });

  it('refuses the calendar to safeguarding leads (403) and another school (404)', async () => {
    const dsl = await signIn(t.db, a.safeguarding.id);
    const page = await open(a.safeguarding.id, settingsOf(a.school));
    expect(page.body).not.toContain('Save calendar');
    const res = await postForm(dsl, `${settingsOf(a.school)}/calendar`, { region: 'none', closures: '' });
    expect(res.statusCode).toBe(403);
    const senior = await signIn(t.db, a.senior.id);
    const other = await postForm(senior, `${settingsOf(b.school)}/calendar/ical`, { ics: 'BEGIN:VCALENDAR' });
    expect(other.statusCode).toBe(404);
  });
});
