import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
