import { beforeAll, describe, expect, it } from 'vitest';
import { saveScreenshot, signInInBrowser } from '../helpers/browser.js';
import { createPasswordUser, E2E_PASSWORD, type E2eApp } from '../helpers/e2e-app.js';
import { useE2eBrowser } from '../helpers/e2e-browser.js';
import { createAccount, createComment, createSchool } from '../helpers/factories.js';

/** The app, Chromium, and a watch on every page: axe-core and no request off the app's host. */
const ui = useE2eBrowser();
let e2e: E2eApp;

beforeAll(() => {
  e2e = ui.e2e;
});

describe('signing in', () => {
  it('a comms member signs in with the form and sees their inbox', async () => {
    const school = await createSchool(e2e.t.db, { name: 'Oakfield Primary' });
    const user = await createPasswordUser(e2e, {
      trustId: school.trustId,
      email: 'comms@oakfield.test',
      displayName: 'Casey Comms',
      roles: [{ schoolId: school.id, role: 'comms' }],
    });
    const account = await createAccount(e2e.t.db, { schoolId: school.id, handle: 'oakfield' });
    await createComment(e2e.t.db, {
      schoolId: school.id,
      accountId: account.id,
      text: 'When is sports day?',
      deadlineAt: new Date(Date.now() + 3_600_000),
    });

    const page = await ui.newPage();
    await page.goto(`${e2e.baseUrl}/`);
    expect(new URL(page.url()).pathname).toBe('/login');

    await page.fill('#email', user.email);
    await page.fill('#password', 'not the password at all');
    await page.click('button[type=submit]');
    await expect.poll(() => page.locator('.error').textContent()).toBe('Email or password is incorrect');

    await signInInBrowser(page, e2e.baseUrl, user.email, E2E_PASSWORD);
    await expect.poll(() => page.locator('h1').textContent()).toBe('Inbox');
    expect(await page.locator('.inbox .comment-text').first().textContent()).toBe('When is sports day?');
    await saveScreenshot(page, 'inbox');
    await page.context().close();
  });
});
