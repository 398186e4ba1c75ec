import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, saveScreenshot, signInInBrowser } from '../helpers/browser.js';
import { createPasswordUser, E2E_PASSWORD, type E2eApp, startE2eApp } from '../helpers/e2e-app.js';
import { createAccount, createComment, createSchool } from '../helpers/factories.js';

let e2e: E2eApp;
let browser: Browser;

beforeAll(async () => {
  e2e = await startE2eApp();
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await e2e?.close();
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

    const context = await browser.newContext();
    const page = await context.newPage();
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
    await context.close();
  });
});
