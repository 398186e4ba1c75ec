import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../helpers/build-test-app.js';
import { expectAuditEntry } from '../../helpers/expect-audit-entry.js';
import { type SignedIn, signIn } from '../../helpers/sign-in.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';
import { staffScene } from './staff-fixture.js';

let t: TestDatabase;
let api: TestApp;
let a: Awaited<ReturnType<typeof staffScene>>;

beforeAll(async () => {
  t = await createTestDatabase();
  api = await buildTestApp(t.db);
  a = await staffScene(t.db);
});
afterAll(async () => {
  await api.close();
  await t.drop();
});

/** Posts a form the way a browser does: urlencoded, the CSRF token in the _csrf field, its page as Referer. */
async function postForm(
  session: SignedIn,
  url: string,
  fields: Record<string, string | string[]>,
  referer?: string,
) {
  const body = new URLSearchParams({ _csrf: session.csrfToken });
  for (const [k, v] of Object.entries(fields)) for (const x of [v].flat()) body.append(k, x);
  return api.app.inject({
    method: 'POST',
    url,
    headers: {
      cookie: session.headers.cookie,
      'content-type': 'application/x-www-form-urlencoded',
      ...(referer ? { referer } : {}),
    },
    payload: body.toString(),
  });
}

/** Follows a 303 as the browser would, carrying the flash cookie it set. */
async function follow(session: SignedIn, res: Awaited<ReturnType<typeof postForm>>) {
  expect(res.statusCode).toBe(303);
  const setCookie = [res.headers['set-cookie'] ?? []].flat().find((c) => c.startsWith('hm_flash='));
  const cookie = [session.headers.cookie, setCookie?.split(';')[0]].filter(Boolean).join('; ');
  return api.app.inject({ url: String(res.headers.location), headers: { cookie } });
}

const summaryOf = (html: string) => html.match(/<div class="error-summary"[\s\S]*?<\/div>/)?.[0] ?? '';

describe('the GOV.UK error pattern on the page kit’s forms', () => {
  it('a field over its length goes back to the page with the summary first in main and the message on the field', async () => {
    const session = await signIn(t.db, a.comms.id);
    const res = await postForm(
      session,
      '/inbox/close',
      { commentIds: a.offensive.id, reason: 'x'.repeat(2_001) },
      'http://localhost/?status=open',
    );
    expect(res.headers.location).toBe('/?status=open');
    const page = await follow(session, res);
    expect(page.statusCode).toBe(200);
    const summary = summaryOf(page.body);
    expect(summary).toContain('role="alert"');
    expect(summary).toContain('There is a problem');
    const link = summary.match(/<a href="#([^"]+)">([^<]+)<\/a>/);
    expect(link?.[2]).toBe('Reason must be 2000 characters or fewer');
    // The summary opens <main>; the field carries the message by aria-describedby.
    expect(page.body).toMatch(/<main id="main"><div class="error-summary"/);
    const field = page.body.match(new RegExp(`<input[^>]*id="${link?.[1]}"[^>]*>`))?.[0] ?? '';
    expect(field).toContain('name="reason"');
    expect(field).toContain('aria-invalid="true"');
    const describedBy = field.match(/aria-describedby="([^"]+)"/)?.[1];
    expect(page.body).toContain(
      `<span class="error-message" id="${describedBy}"><span class="visually-hidden">Error:</span> <span>Reason must be 2000 characters or fewer</span></span>`,
    );
    // Shown once: no second copy as a flash, and gone on the next visit.
    expect(page.body).not.toContain('flash-error');
    const again = await api.app.inject({ url: '/?status=open', headers: { cookie: session.headers.cookie } });
    expect(again.body).not.toContain('error-summary');
  });

  it("a verb's own check names its field: a blank concern note is put on the comment page's note box", async () => {
    const session = await signIn(t.db, a.comms.id);
    const res = await postForm(session, `/comments/${a.offensive.id}/concerns`, {
      kind: 'safeguarding',
      note: '   ',
    });
    const page = await follow(session, res);
    const summary = summaryOf(page.body);
    const link = summary.match(/<a href="#([^"]+)">([^<]+)<\/a>/);
    expect(link?.[2]).toMatch(/^Write a note/);
    const field = page.body.match(new RegExp(`<textarea[^>]*id="${link?.[1]}"[^>]*>`))?.[0] ?? '';
    expect(field).toContain('name="note"');
    expect(field).toContain('aria-invalid="true"');
  });

  it('with no page of ours to go back to (no Referer, or another site’s) the 400 page says what was wrong', async () => {
    const session = await signIn(t.db, a.comms.id);
    for (const referer of [undefined, 'https://evil.example/phish']) {
      const res = await postForm(
        session,
        '/inbox/close',
        { commentIds: a.offensive.id, reason: 'x'.repeat(2_001) },
        referer,
      );
      expect(res.statusCode).toBe(400);
      expect(res.headers.location).toBeUndefined();
      expect(res.body).toContain('reason');
    }
  });

  it('hostile text in a field is never echoed: the summary names the field, not the input', async () => {
    const session = await signIn(t.db, a.comms.id);
    const res = await postForm(
      session,
      '/inbox/close',
      { commentIds: a.offensive.id, reason: `<script>alert(1)</script>${'x'.repeat(2_001)}` },
      'http://localhost/',
    );
    const page = await follow(session, res);
    expect(summaryOf(page.body)).toContain('Reason must be 2000 characters or fewer');
    expect(page.body).not.toContain('<script>alert(1)');
    expect(page.body).not.toContain('&lt;script&gt;alert(1)');
  });
});

describe('escalation audit subjects', () => {
  it('read as a person would, with no platform id and no personal data', async () => {
    const session = await signIn(t.db, a.comms.id);
    const res = await postForm(session, `/comments/${a.offensive.id}/concerns`, {
      kind: 'safeguarding',
      note: 'The author names a pupil',
    });
    expect(res.statusCode).toBe(303);
    const entry = await expectAuditEntry(t.db, { action: 'escalation.raised', schoolId: a.school.id });
    expect(entry.subjectLabel).toBe(`Safeguarding escalation of a comment on @${a.account.handle} on X`);
    expect(entry.subjectLabel).not.toMatch(/\d{6,}/);
    expect(entry.subjectLabel).not.toContain(a.offensive.authorHandle);
  });
});
