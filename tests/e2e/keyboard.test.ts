/// <reference lib="dom" />
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { createPasswordUser, E2E_PASSWORD } from '../helpers/e2e-app.js';
import { useE2eBrowser } from '../helpers/e2e-browser.js';
import { createAccount, createComment, createSchool } from '../helpers/factories.js';

const ui = useE2eBrowser();

/** Presses Tab until the focused element matches `selector`; fails if it never gets there. */
async function tabTo(page: Page, selector: string, max = 80): Promise<void> {
  for (let i = 0; i < max; i++) {
    if (await page.evaluate((sel) => document.activeElement?.matches(sel) ?? false, selector)) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`Tab never reached ${selector}`);
}

describe('keyboard only', () => {
  it('signs in, opens a comment from the inbox and replies, with no mouse', async () => {
    const school = await createSchool(ui.e2e.t.db, { name: 'Oakfield Primary' });
    const casey = await createPasswordUser(ui.e2e, {
      trustId: school.trustId,
      email: 'keyboard@oakfield.test',
      displayName: 'Casey Comms',
      roles: [{ schoolId: school.id, role: 'comms' }],
    });
    const account = await createAccount(ui.e2e.t.db, { schoolId: school.id, handle: 'oakfield' });
    const comment = await createComment(ui.e2e.t.db, {
      schoolId: school.id,
      accountId: account.id,
      text: 'Is the school open on Monday?',
      deadlineAt: new Date(Date.now() + 3_600_000),
    });

    const page = await ui.newPage();
    await page.goto(`${ui.e2e.baseUrl}/login`);
    await tabTo(page, '#email');
    await page.keyboard.type(casey.email);
    await page.keyboard.press('Tab');
    await page.keyboard.type(E2E_PASSWORD);
    await Promise.all([page.waitForURL(`${ui.e2e.baseUrl}/`), page.keyboard.press('Enter')]);
    expect(await page.locator('h1').textContent()).toBe('Inbox');

    // The skip link comes first, then the inbox; the comment's Open link is reachable by Tab.
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to main content');
    await tabTo(page, `a.open-comment[href="/comments/${comment.id}"]`);
    await Promise.all([
      page.waitForURL(`${ui.e2e.baseUrl}/comments/${comment.id}`),
      page.keyboard.press('Enter'),
    ]);
    expect(await page.locator('#comment-text').textContent()).toBe('Is the school open on Monday?');

    await tabTo(page, '#reply-text');
    await page.keyboard.type('Yes, the school is open on Monday as usual.');
    await tabTo(page, '#compose button[type=submit]');
    await page.keyboard.press('Enter');
    await expect
      .poll(() => page.locator('.flash-ok').textContent())
      .toBe('Your reply is queued for the platform; the page shows when it is sent.');
    expect(await page.locator('.responses').textContent()).toContain(
      'Yes, the school is open on Monday as usual.',
    );
  });
});
