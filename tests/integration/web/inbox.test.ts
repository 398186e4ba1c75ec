import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { inboxItemSchema, inboxPageSchema, listInbox } from '../../../services/comments/list-inbox.js';
import { buildTestApp, type TestApp } from '../../helpers/build-test-app.js';
import { createAccount, createComment, createSchool, createUser } from '../../helpers/factories.js';
import { signIn } from '../../helpers/sign-in.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';

let t: TestDatabase;
let api: TestApp;

beforeAll(async () => {
  t = await createTestDatabase();
  api = await buildTestApp(t.db);
});
afterAll(async () => {
  await api.close();
  await t.drop();
});

const XSS = [
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '<a href="javascript:alert(1)">click</a>',
  '<svg onload=alert(1)>',
  '"><b>broken',
  '\u202Egnp.exe',
];

describe('the inbox', () => {
  it('shows only the user’s schools, soonest deadline first, with hostile text inert and matches marked', async () => {
    const school = await createSchool(t.db);
    const other = await createSchool(t.db, { trustId: school.trustId });
    const comms = await createUser(t.db, {
      trustId: school.trustId,
      roles: [{ schoolId: school.id, role: 'comms' }],
    });
    const account = await createAccount(t.db, { schoolId: school.id, handle: 'oakfield' });
    const otherAccount = await createAccount(t.db, { schoolId: other.id, handle: 'elsewhere' });
    const soon = new Date(Date.now() + 3_600_000);
    const later = new Date(Date.now() + 7_200_000);
    await createComment(t.db, {
      schoolId: school.id,
      accountId: account.id,
      text: `${XSS.join(' ')} you idiot`,
      deadlineAt: later,
      labels: [
        {
          category: 'offensive',
          subcategory: 'insult',
          severity: 'medium',
          spans: [[XSS.join(' ').length + 5, XSS.join(' ').length + 10]],
          source: 'test',
        },
      ],
      categories: ['offensive'],
    });
    await createComment(t.db, {
      schoolId: school.id,
      accountId: account.id,
      text: 'When is sports day?',
      deadlineAt: soon,
    });
    await createComment(t.db, {
      schoolId: other.id,
      accountId: otherAccount.id,
      text: 'Another school’s comment',
    });

    const session = await signIn(t.db, comms.id);
    const json = await api.app.inject({ url: '/api/inbox', headers: session.headers });
    expect(json.statusCode).toBe(200);
    const texts = json.json().items.map((i: { text: string }) => i.text);
    expect(texts).toHaveLength(2);
    expect(texts[0]).toBe('When is sports day?');
    expect(texts.join(' ')).not.toContain('Another school');

    const page = await api.app.inject({ url: '/', headers: { cookie: session.headers.cookie } });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-security-policy']).toMatch(/script-src 'self'/);
    const html = page.body;
    expect(html).not.toContain('<script>alert(1)</script>');
    expect(html).not.toContain('<img src=x');
    expect(html).not.toContain('<svg onload');
    expect(html).not.toContain('href="javascript:');
    // Every '<' from the comment is escaped, so no tag can open; '>' alone is inert.
    expect(html).toContain('&lt;script>alert(1)&lt;/script>');
    expect(html).toContain('&lt;img src=x onerror=alert(1)>');
    expect(html).toContain('<mark>idiot</mark>');
    expect(html).toContain('Offensive: insult');
  });

  it('sends a signed-out visitor to the sign-in page', async () => {
    const res = await api.app.inject({ url: '/' });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/login');
    expect((await api.app.inject({ url: '/api/inbox' })).statusCode).toBe(401);
  });

  it('answers the API inbox with exactly the schema’s fields, the same items and cursors as listInbox, page by page', async () => {
    const school = await createSchool(t.db);
    const comms = await createUser(t.db, {
      trustId: school.trustId,
      roles: [{ schoolId: school.id, role: 'comms' }],
    });
    const account = await createAccount(t.db, { schoolId: school.id, handle: 'parity' });
    const base = Date.now() + 3_600_000;
    // A tie on the deadline, no deadline, a breach, a url, labels (whose `source` must not
    // leave), hostile and non-ASCII text, a redacted comment.
    const tie = new Date(base + 60_000);
    await createComment(t.db, {
      schoolId: school.id,
      accountId: account.id,
      deadlineAt: tie,
      text: 'tie one',
    });
    await createComment(t.db, {
      schoolId: school.id,
      accountId: account.id,
      deadlineAt: tie,
      text: 'tie two',
    });
    await createComment(t.db, {
      schoolId: school.id,
      accountId: account.id,
      deadlineAt: null,
      text: 'no deadline',
    });
    await createComment(t.db, {
      schoolId: school.id,
      accountId: account.id,
      deadlineAt: new Date(base - 7_200_000),
      breachedAt: new Date(base - 3_600_000),
      url: 'https://x.com/parity/status/1',
      text: `${XSS.join(' ')} "quoted" \\ back\nslash — café 🎉 you idiot`,
      authorName: "O'Brien <b>",
      labels: [
        {
          category: 'offensive',
          subcategory: 'insult',
          severity: 'medium',
          spans: [[3, 8]],
          source: 'lexicon',
        },
        { category: 'complaint', subcategory: 'general', severity: 'low', spans: [], source: 'model' },
      ],
      categories: ['offensive', 'complaint'],
    });
    await createComment(t.db, {
      schoolId: school.id,
      accountId: account.id,
      deadlineAt: new Date(base + 120_000),
      text: '',
      authorHandle: '',
      redactedAt: new Date(),
    });
    // A deadline written by SQL carries microseconds; the column keeps milliseconds, so the
    // millisecond cursor neither repeats nor skips it.
    const sqlDeadline = await createComment(t.db, {
      schoolId: school.id,
      accountId: account.id,
      deadlineAt: tie,
      text: 'deadline set by SQL',
    });
    await t.db.execute(
      sql`update comments set deadline_at = now() + interval '1 hour 0.000123 second' where id = ${sqlDeadline.id}`,
    );
    const session = await signIn(t.db, comms.id);
    const ctx = {
      actor: { type: 'user' as const, id: comms.id, label: comms.displayName },
      schoolIds: [school.id],
      db: t.db,
    };
    const encode = (page: Awaited<ReturnType<typeof listInbox>>) =>
      JSON.parse(JSON.stringify(z.encode(inboxPageSchema, page)));
    const strictPage = z.strictObject({
      items: z.array(
        z.strictObject({
          ...inboxItemSchema.shape,
          postedAt: z.iso.datetime(),
          deadlineAt: z.iso.datetime().nullable(),
          breachedAt: z.iso.datetime().nullable(),
          labels: z.array(z.strictObject(inboxItemSchema.shape.labels.element.shape)),
        }),
      ),
      next: z.string().nullable(),
    });

    const filters: { status?: 'all'; category?: 'complaint' }[] = [
      {},
      { status: 'all' },
      { category: 'complaint' },
    ];
    for (const filter of filters) {
      let after: string | undefined;
      const seen: string[] = [];
      for (let pages = 0; pages < 10; pages++) {
        const query = new URLSearchParams({ ...filter, limit: '2', ...(after ? { after } : {}) });
        const res = await api.app.inject({ url: `/api/inbox?${query}`, headers: session.headers });
        expect(res.statusCode).toBe(200);
        expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
        const body = res.json();
        strictPage.parse(body);
        expect(body).toEqual(encode(await listInbox(ctx, { ...filter, limit: 2, after })));
        seen.push(...body.items.map((i: { text: string }) => i.text));
        after = body.next ?? undefined;
        if (!after) break;
      }
      expect(new Set(seen).size).toBe(seen.length);
      if (!('status' in filter) && !('category' in filter)) {
        expect(seen).toHaveLength(6);
        expect(seen).toContain('deadline set by SQL');
        expect(seen.slice(0, 2)[0]).toContain('<script>');
        expect(seen.at(-1)).toBe('no deadline');
      }
    }
    const everything = await api.app.inject({ url: '/api/inbox', headers: session.headers });
    const flagged = everything.json().items.find((i: { url: string | null }) => i.url);
    expect(flagged.labels).toEqual([
      { category: 'offensive', subcategory: 'insult', severity: 'medium', spans: [[3, 8]] },
      { category: 'complaint', subcategory: 'general', severity: 'low', spans: [] },
    ]);
    expect(flagged.breachedAt).toBe(new Date(base - 3_600_000).toISOString());
    expect(everything.json().items.find((i: { redacted: boolean }) => i.redacted).text).toBe('');
  });

  it('refuses a malformed page cursor with a message', async () => {
    const school = await createSchool(t.db);
    const user = await createUser(t.db, {
      trustId: school.trustId,
      roles: [{ schoolId: school.id, role: 'comms' }],
    });
    const session = await signIn(t.db, user.id);
    const res = await api.app.inject({ url: '/api/inbox?after=yesterday', headers: session.headers });
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toMatch(/cursor/);
  });
});
