/// <reference lib="dom" />
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createPasswordUser } from '../helpers/e2e-app.js';
import { useE2eBrowser } from '../helpers/e2e-browser.js';
import { createAccount, createComment, createSchool } from '../helpers/factories.js';

const ui = useE2eBrowser();
let everyone: { email: string };
let commentId: string;
let schoolId: string;
let accountId: string;

beforeAll(async () => {
  const db = ui.e2e.t.db;
  const school = await createSchool(db, { name: 'Oakfield Primary' });
  schoolId = school.id;
  // One person holding every role, so one sign-in reaches every screen.
  everyone = await createPasswordUser(ui.e2e, {
    trustId: school.trustId,
    email: 'everyone@oakfield.test',
    displayName: 'Robin Allroles',
    roles: (['trust_admin', 'senior_leader', 'safeguarding_lead', 'comms', 'auditor'] as const).map(
      (role) => ({
        schoolId: school.id,
        role,
      }),
    ),
  });
  const account = await createAccount(db, {
    schoolId: school.id,
    handle: 'oakfield_primary_school_official',
  });
  accountId = account.id;
  const comment = await createComment(db, {
    schoolId: school.id,
    accountId: account.id,
    authorHandle: 'averyveryverylonghandlethatdoesnotbreakanywhere_at_all_1234567890',
    text: `A long unbroken word: ${'x'.repeat(120)} and a link https://example.org/${'y'.repeat(80)}`,
    deadlineAt: new Date(Date.now() + 3_600_000),
  });
  commentId = comment.id;
});

/** Every screen a person can open (the one person holds every role). */
const everyScreen = () => [
  '/',
  `/comments/${commentId}`,
  '/flags',
  '/safeguarding',
  '/approvals',
  '/accounts',
  `/accounts/${accountId}`,
  '/deadlines',
  '/audit',
  '/notifications',
  `/schools/${schoolId}/settings`,
  `/schools/${schoolId}/notifications`,
  '/people',
  '/escalations',
  '/follow-ups',
  '/corrections',
  `/schools/${schoolId}/policy`,
  `/schools/${schoolId}/saved-replies`,
  `/reports/retention?schoolId=${schoolId}`,
  `/reports/classifier-quality?schoolId=${schoolId}`,
  '/no-such-page',
];

/** Console errors (a CSP refusal shows as one) while the page loads. */
function consoleErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  return errors;
}

describe('every screen, finished', () => {
  it('fits a 390 px phone: no page scrolls sideways', async () => {
    const page = await ui.signedInPage(everyone.email, { viewport: { width: 390, height: 844 } });
    const paths = everyScreen();
    const wide: string[] = [];
    for (const path of paths) {
      await page.goto(`${ui.e2e.baseUrl}${path}`);
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      if (width > 390) {
        const culprits = await page.evaluate(() =>
          [...document.querySelectorAll('body *')]
            .filter((el) => el.getBoundingClientRect().right > 391)
            .filter((el) => !(el.parentElement && el.parentElement.getBoundingClientRect().right > 391))
            .slice(0, 4)
            .map((el) => `${el.tagName.toLowerCase()}.${el.className}`),
        );
        wide.push(`${path}: ${width}px (${culprits.join(', ')})`);
      }
    }
    expect(wide).toEqual([]);
  });

  it('passes axe-core on every screen at desktop width, and on the sign-in page', async () => {
    const page = await ui.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${ui.e2e.baseUrl}/login`);
    await ui.checkA11y(page);
    await page.context().close();
    const signedIn = await ui.signedInPage(everyone.email, { viewport: { width: 1280, height: 900 } });
    for (const path of everyScreen()) {
      await signedIn.goto(`${ui.e2e.baseUrl}${path}`);
      await ui.checkA11y(signedIn);
    }
    expect(ui.watch.checked).toEqual(expect.arrayContaining(['/login', ...everyScreen()]));
    // Findings fail the test in useE2eBrowser's after-check.
  });

  it('a refused form comes back with what was typed, and the summary link goes to the field', async () => {
    const page = await ui.signedInPage(everyone.email, { viewport: { width: 390, height: 844 } });
    await page.goto(`${ui.e2e.baseUrl}/schools/${schoolId}/settings`);
    const typed = '2027-02-15 to 2027-02-19 Half term\n19th of March INSET';
    await page.fill('textarea[name="closures"]', typed);
    await page.selectOption('select[name="region"]', 'scotland');
    await Promise.all([page.waitForURL(/\/settings$/), page.click('button:text-is("Save calendar")')]);
    const summary = page.locator('.error-summary');
    expect(await summary.getByRole('heading').textContent()).toBe('There is a problem');
    const link = summary.getByRole('link');
    expect(await link.textContent()).toMatch(/^Closure line 2 is not/);
    // The page opens on the summary (app.js focuses it), and its link moves focus to the box.
    await link.click();
    expect(await page.evaluate(() => document.activeElement?.getAttribute('name'))).toBe('closures');
    expect(await page.inputValue('textarea[name="closures"]')).toBe(typed);
    expect(await page.inputValue('select[name="region"]')).toBe('scotland');
    expect(await page.locator('textarea[name="closures"]').getAttribute('aria-invalid')).toBe('true');
    // Fixed and saved: the message and the kept values are gone, the saved calendar shows.
    await page.fill('textarea[name="closures"]', '2027-02-15 to 2027-02-19 Half term');
    await Promise.all([page.waitForURL(/\/settings$/), page.click('button:text-is("Save calendar")')]);
    expect(await page.locator('.error-summary').count()).toBe(0);
    expect(await page.locator('.flash').first().textContent()).toContain('Calendar saved: 1 closure');
  });

  it('shows the styled 404 page for an unknown address, with the navigation', async () => {
    const page = await ui.signedInPage(everyone.email);
    const res = await page.goto(`${ui.e2e.baseUrl}/no-such-page`);
    expect(res?.status()).toBe(404);
    expect(await page.locator('h1').textContent()).toBe('Not found');
    expect(await page.getByRole('navigation', { name: 'Main' }).isVisible()).toBe(true);
    await page.getByRole('link', { name: 'Back to the inbox' }).click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('Inbox');
  });

  it("says the deadline charts have not enough data yet on a new school's first day", async () => {
    const page = await ui.signedInPage(everyone.email);
    await page.goto(`${ui.e2e.baseUrl}/deadlines`);
    const empty = page.locator('.chart-empty');
    expect(await empty.count()).toBe(2);
    expect(await empty.first().textContent()).toBe(
      'Not enough data yet: the chart fills in as comments are answered.',
    );
    expect(await page.locator('svg.chart').count()).toBe(0);
  });

  it('serves its own favicon and draws the bell as an image, not an emoji', async () => {
    const page = await ui.signedInPage(everyone.email);
    const icon = await page.locator('link[rel="icon"]').getAttribute('href');
    expect(icon).toBe('/static/favicon.svg');
    const res = await page.request.get(`${ui.e2e.baseUrl}${icon}`);
    expect(res.status()).toBe(200);
    expect(res.headers()['content-type']).toMatch(/^image\/svg\+xml/);
    expect(await page.locator('a.bell svg').count()).toBe(1);
    expect(await page.locator('a.bell').textContent()).not.toMatch(/\p{Extended_Pictographic}/u);
  });

  it('opens /docs and /admin/queues with no outside request, no CSP error and no serious axe finding', async () => {
    const page = await ui.signedInPage(everyone.email);
    const errors = consoleErrors(page);
    await page.goto(`${ui.e2e.baseUrl}/docs`);
    await page.locator('.swagger-ui .info .title').waitFor();
    expect(await page.locator('.swagger-ui .info .title').textContent()).toContain('Hallmonitor API');
    // Both are drawn by script after the load event: axe is run again once they are on screen.
    await ui.checkA11y(page);
    expect(ui.watch.checked).toContain('/docs');
    await page.goto(`${ui.e2e.baseUrl}/admin/queues`);
    await page.getByText('Hallmonitor queues').first().waitFor();
    // The queue cards (and their menu buttons) are drawn after the board's first fetch.
    await page.locator('[id^="base-ui-"]').first().waitFor();
    await ui.checkA11y(page);
    expect(ui.watch.checked).toContain('/admin/queues');
    expect(errors).toEqual([]);
    // No outside request and no serious or critical axe finding: checked by useE2eBrowser after the test.
  });
});
