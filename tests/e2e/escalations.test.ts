/// <reference lib="dom" />
import { beforeAll, describe, expect, it } from 'vitest';
import type { SchoolRole } from '../../db/schema/index.js';
import { saveScreenshot } from '../helpers/browser.js';
import { createPasswordUser, type E2eApp } from '../helpers/e2e-app.js';
import { useE2eBrowser } from '../helpers/e2e-browser.js';
import { createAccount, createComment, createSchool } from '../helpers/factories.js';

/** The app, Chromium, and a watch on every page: axe-core and no request off the app's host. */
const ui = useE2eBrowser();
let e2e: E2eApp;
let n = 0;

beforeAll(() => {
  e2e = ui.e2e;
});

/** A school with one person per role and a comment the classifier found nothing in. */
async function scene() {
  n += 1;
  const school = await createSchool(e2e.t.db, { name: `Oakfield Primary ${n}` });
  const person = (role: SchoolRole, displayName: string, email: string) =>
    createPasswordUser(e2e, {
      trustId: school.trustId,
      email: `${email}${n}@oakfield.test`,
      displayName,
      roles: [{ schoolId: school.id, role }],
    });
  const casey = await person('comms', 'Casey Comms', 'casey');
  const dana = await person('safeguarding_lead', 'Dana Lead', 'dana');
  const hugh = await person('senior_leader', 'Hugh Head', 'hugh');
  const ada = await person('auditor', 'Ada Auditor', 'ada');
  const account = await createAccount(e2e.t.db, {
    schoolId: school.id,
    handle: `oakfield_esc_${n}`,
    status: 'active',
    adminIds: [casey.id],
  });
  const comment = await createComment(e2e.t.db, {
    schoolId: school.id,
    accountId: account.id,
    authorHandle: `pupil_friend_${n}`,
    text: 'my mate in year 5 says she is scared to go home',
    processedAt: new Date(),
    deadlineAt: new Date(Date.now() + 6 * 3_600_000),
  });
  return { school, casey, dana, hugh, ada, account, comment };
}

describe('raising concerns and the escalations queue in the browser', () => {
  it('comms staff raise a safeguarding concern the classifier missed; the safeguarding lead sees it at once', async () => {
    const s = await scene();
    const casey = await ui.signedInPage(s.casey.email);
    await casey.goto(`${e2e.baseUrl}/comments/${s.comment.id}`);
    await casey.fill('#safeguarding-note', 'A child says she is scared to go home');
    await casey.click('#safeguarding-concern button[type=submit]');
    await expect
      .poll(() => casey.locator('.flash-ok').textContent())
      .toBe('Sent to the safeguarding leads (1 person) at once.');
    await saveScreenshot(casey, 'concern-raised');
    // The comment page lists it, with who raised it.
    expect(await casey.locator('.escalations').textContent()).toContain('safeguarding');

    const dana = await ui.signedInPage(s.dana.email);
    expect(await dana.locator('a.bell').getAttribute('aria-label')).toBe('Notifications, 1 unread');
    await dana.goto(`${e2e.baseUrl}/safeguarding`);
    const card = dana.locator('.escalation').first();
    expect(await card.textContent()).toContain('A child says she is scared to go home');
    await card.locator('a', { hasText: 'Open the comment' }).click();
    await dana.waitForURL(`${e2e.baseUrl}/comments/${s.comment.id}`);
  });

  it('misuse reported by comms reaches the senior leader’s queue; acknowledged, refused a blank note, closed with one', async () => {
    const s = await scene();
    const casey = await ui.signedInPage(s.casey.email);
    await casey.goto(`${e2e.baseUrl}/comments/${s.comment.id}`);
    await casey.fill('#misuse-note', 'The parent names a teacher and calls her a liar');
    await casey.click('#report-misuse button[type=submit]');
    await expect
      .poll(() => casey.locator('.flash-ok').textContent())
      .toBe('Reported to the senior leaders (1 person); it is in their escalations queue.');

    const hugh = await ui.signedInPage(s.hugh.email);
    await hugh.click('nav.site-nav a:text-is("Escalations")');
    await hugh.waitForURL(`${e2e.baseUrl}/escalations`);
    const card = hugh.locator('.escalation').first();
    expect(await card.locator('.escalation-kind').textContent()).toBe(
      'Unacceptable conduct reported to a senior leader',
    );
    expect(await card.textContent()).toContain('The parent names a teacher and calls her a liar');
    expect(await card.textContent()).toContain('by Casey Comms');
    await saveScreenshot(hugh, 'escalations');

    await card.locator('button', { hasText: 'Acknowledge' }).click();
    await expect
      .poll(() => hugh.locator('.flash-ok').textContent())
      .toBe('Acknowledged: the queue shows you are dealing with it.');
    expect(await hugh.locator('.escalation .status').first().textContent()).toBe('acknowledged');

    // A note of spaces passes the browser's `required` but not the rule: the GOV.UK error pattern
    // says why, at the top (focused) and on the field, and the summary's link takes the focus there.
    await hugh.locator('.escalation textarea[name=note]').first().fill('   ');
    await hugh.locator('.escalation button', { hasText: 'Close with this note' }).first().click();
    const summary = hugh.locator('.error-summary');
    await expect.poll(() => summary.locator('h2').textContent()).toBe('There is a problem');
    expect(await summary.getAttribute('role')).toBe('alert');
    await expect
      .poll(() => hugh.evaluate(() => document.activeElement?.classList.contains('error-summary')))
      .toBe(true);
    expect(await summary.locator('li a').allTextContents()).toEqual(['Write a note saying what was done']);
    const field = hugh.locator('.escalation textarea[name=note][aria-invalid=true]');
    const messageId = await field.getAttribute('aria-describedby');
    expect(await hugh.locator(`[id="${messageId}"]`).textContent()).toBe(
      'Error: Write a note saying what was done',
    );
    expect(await hugh.locator('.flash-error').count()).toBe(0);
    await summary.locator('li a').click();
    expect(await hugh.evaluate(() => document.activeElement?.getAttribute('name'))).toBe('note');
    expect(await hugh.evaluate(() => document.activeElement?.getAttribute('aria-invalid'))).toBe('true');
    await ui.checkA11y(hugh);
    expect(await hugh.locator('#open-h').textContent()).toBe('Open escalations (1)');

    await hugh.locator('.escalation textarea[name=note]').first().fill('Called the parent; post removed');
    await hugh.locator('.escalation button', { hasText: 'Close with this note' }).first().click();
    await expect
      .poll(() => hugh.locator('.flash-ok').textContent())
      .toBe('Closed, with your note kept in the audit log.');
    expect(await hugh.locator('#open-h').textContent()).toBe('Open escalations (0)');
    expect(await hugh.locator('.closed-note').first().textContent()).toContain('Closed by Hugh Head');
    expect(await hugh.locator('.closed-note').first().textContent()).toContain(
      'Called the parent; post removed',
    );

    // The report counts it: raised by hand, closed, none open.
    await hugh.click('nav.site-nav a:text-is("Deadlines")');
    await hugh.waitForURL(/\/deadlines/);
    const row = hugh.locator('table.escalation-figures tr', { hasText: 'Unacceptable conduct' });
    expect(await row.locator('td').allTextContents()).toEqual([
      '1',
      '1',
      '1',
      '0',
      expect.stringMatching(/min|h/),
    ]);
  });

  it('the auditor reads the queue and has no button to change it', async () => {
    const s = await scene();
    const casey = await ui.signedInPage(s.casey.email);
    await casey.goto(`${e2e.baseUrl}/comments/${s.comment.id}`);
    await casey.fill('#misuse-note', 'Discriminatory remarks about a family');
    await casey.click('#report-misuse button[type=submit]');
    await casey.locator('.flash-ok').waitFor();

    const ada = await ui.signedInPage(s.ada.email);
    await ada.click('nav.site-nav a:text-is("Escalations")');
    await ada.waitForURL(`${e2e.baseUrl}/escalations`);
    expect(await ada.locator('.escalation').first().textContent()).toContain(
      'Discriminatory remarks about a family',
    );
    expect(await ada.locator('.notice').textContent()).toContain(
      'only a senior leader acknowledges or closes',
    );
    expect(await ada.locator('.escalation button').count()).toBe(0);
    // Nor may the auditor raise a concern: the comment page does not offer it.
    await ada.goto(`${e2e.baseUrl}/comments/${s.comment.id}`);
    expect(await ada.locator('#safeguarding-concern').count()).toBe(0);
  });
});
