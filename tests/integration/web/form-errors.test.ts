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
    expect(summaryOf(page.body)).not.toContain('alert(1)');
    expect(page.body).not.toContain('<script>alert(1)');
    // What was typed goes back only into its own box, escaped as an attribute value.
    const field = page.body.match(/<input[^>]*name="reason"[^>]*>/)?.[0] ?? '';
    expect(field).toContain('value="&lt;script&gt;alert(1)&lt;/script&gt;xxx');
    expect(page.body.split('alert(1)&lt;/script&gt;xxx').length - 1).toBe(1);
    // The comment ticked for the bulk close (its box is on its row, outside the form) is still ticked.
    const tick = page.body.match(
      new RegExp(`<input[^>]*name="commentIds"[^>]*value="${a.offensive.id}"[^>]*>`),
    );
    expect(tick?.[0]).toMatch(/ checked[ >]/);
  });
});

/** The opening tag of the form control named `name` in a page. */
const controlNamed = (html: string, name: string) =>
  html.match(new RegExp(`<(?:input|select|textarea)\\b[^>]*name="${name}"[^>]*>`))?.[0] ?? '';

describe('a refused form keeps what was typed', () => {
  it('the settings form: a nested retention field gets a plain sentence and its link; every box keeps its typed value', async () => {
    const session = await signIn(t.db, a.senior.id);
    const settings = `/schools/${a.school.id}/settings`;
    const res = await postForm(
      session,
      `${settings}/deadlines`,
      {
        holdingReplyTemplate: 'Thanks & welcome: we will "reply" <soon>',
        followUpWorkingDays: '7',
        retentionMonths: '18',
        quarantinedDays: '0',
        notificationMonths: '6',
        deliveryLogDays: '45',
        safeguardingYears: '30',
        closureMonitorIds: a.comms.id,
      },
      `http://localhost${settings}`,
    );
    const page = await follow(session, res);
    const summary = summaryOf(page.body);
    const link = summary.match(/<a href="#([^"]+)">([^<]+)<\/a>/);
    expect(link?.[2]).toBe('Quarantined days must be 1 or more');
    expect(summary).not.toMatch(/✖|expected|retention\./);
    const quarantined = controlNamed(page.body, 'quarantinedDays');
    expect(quarantined).toContain(`id="${link?.[1]}"`);
    expect(quarantined).toContain('aria-invalid="true"');
    expect(quarantined).toContain('value="0"');
    expect(controlNamed(page.body, 'followUpWorkingDays')).toContain('value="7"');
    expect(controlNamed(page.body, 'retentionMonths')).toContain('value="18"');
    expect(controlNamed(page.body, 'deliveryLogDays')).toContain('value="45"');
    expect(page.body).toMatch(
      /name="holdingReplyTemplate"[^>]*>Thanks &amp; welcome: we will &#34;reply&#34; &lt;soon&gt;<\/textarea>/,
    );
    expect(page.body).toMatch(new RegExp(`<option[^>]*value="${a.comms.id}"[^>]*selected`));
    // Nothing was saved, and the values are read once: the next visit shows the saved settings.
    const again = await api.app.inject({ url: settings, headers: { cookie: session.headers.cookie } });
    expect(controlNamed(again.body, 'followUpWorkingDays')).not.toContain('value="7"');
    expect(again.body).not.toContain('Thanks &amp; welcome');
  });

  it("a verb's refusal of one field (not from a schema) links to that field", async () => {
    const session = await signIn(t.db, a.senior.id);
    const settings = `/schools/${a.school.id}/settings`;
    const res = await postForm(
      session,
      `${settings}/deadlines`,
      {
        holdingReplyTemplate: 'We have seen your message',
        followUpWorkingDays: '5',
        retentionMonths: '12',
        quarantinedDays: '30',
        notificationMonths: '12',
        deliveryLogDays: '90',
        safeguardingYears: '25',
        // A person of another school: no schema can tell.
        closureMonitorIds: '00000000-0000-4000-8000-000000000000',
      },
      `http://localhost${settings}`,
    );
    const page = await follow(session, res);
    const link = summaryOf(page.body).match(/<a href="#([^"]+)">([^<]+)<\/a>/);
    expect(link?.[2]).toBe('Closure monitors must be enabled staff of this school');
    const select = controlNamed(page.body, 'closureMonitorIds');
    expect(select).toContain(`id="${link?.[1]}"`);
    expect(select).toContain('aria-invalid="true"');
    expect(page.body).toContain('We have seen your message</textarea>');
  });

  it('a refusal about the whole form links to the form’s first box, and the typed text is kept', async () => {
    const session = await signIn(t.db, a.senior.id);
    const settings = `/schools/${a.school.id}/settings`;
    const res = await postForm(
      session,
      `${settings}/calendar`,
      { region: 'england', closures: '2027-02-15 to 2027-02-19 Half term\nnot a date at all' },
      `http://localhost${settings}`,
    );
    const page = await follow(session, res);
    const link = summaryOf(page.body).match(/<a href="#([^"]+)">([^<]+)<\/a>/);
    expect(link?.[2]).toMatch(/^Closure line 2 is not/);
    const box = page.body.match(new RegExp(`<textarea[^>]*id="${link?.[1]}"[^>]*>([^<]*)</textarea>`));
    expect(box?.[0]).toContain('name="closures"');
    expect(box?.[1]).toBe('2027-02-15 to 2027-02-19 Half term\nnot a date at all');
  });

  it('the comment page: a refused assignment says why on its field and keeps the choice', async () => {
    const session = await signIn(t.db, a.comms.id);
    const res = await postForm(session, `/comments/${a.offensive.id}/assign`, { assigneeId: a.auditor.id });
    expect(res.statusCode).toBe(400);
    const link = summaryOf(res.body).match(/<a href="#([^"]+)">([^<]+)<\/a>/);
    expect(link?.[2]).toBe('The assignee must be comms, a senior leader or an admin of the account');
    expect(controlNamed(res.body, 'assigneeId')).toContain(`id="${link?.[1]}"`);
    // Said once: the summary, not a second alert above the form.
    expect(res.body.split('The assignee must be comms').length - 1).toBe(2);
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
