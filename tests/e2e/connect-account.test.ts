/// <reference lib="dom" />
import { beforeAll, describe, expect, it } from 'vitest';
import { saveScreenshot } from '../helpers/browser.js';
import { createPasswordUser, type E2eApp } from '../helpers/e2e-app.js';
import { useE2eBrowser } from '../helpers/e2e-browser.js';
import { createAccount, createSchool } from '../helpers/factories.js';

/** The app with the sandbox X (its sign-in page is the one other host a page may reach). */
const ui = useE2eBrowser({ sandbox: true, allowHosts: () => [new URL(ui.e2e.sandbox!.url).host] });
let e2e: E2eApp;

beforeAll(() => {
  e2e = ui.e2e;
});

describe('connecting an account in the browser', () => {
  it('the wrong X account: says which one signed in and what to do; the right one: says connected', async () => {
    const school = await createSchool(e2e.t.db, { name: 'Oakfield Primary' });
    const comms = [{ schoolId: school.id, role: 'comms' as const }];
    const alex = await createPasswordUser(e2e, {
      trustId: school.trustId,
      email: 'alex@oakfield.test',
      displayName: 'Alex Admin',
      roles: comms,
    });
    const bo = await createPasswordUser(e2e, {
      trustId: school.trustId,
      email: 'bo@oakfield.test',
      displayName: 'Bo Admin',
      roles: comms,
    });
    const news = e2e.sandbox!.state.createAccount({ username: 'OakfieldNews' });
    e2e.sandbox!.state.createAccount({ username: 'AlexPersonal' });
    const account = await createAccount(e2e.t.db, {
      schoolId: school.id,
      handle: 'OakfieldNews',
      status: 'approved',
      credentialStatus: 'none',
      // The factory invents a platform id; the real one is what X will report.
      platformUserId: news.id,
      adminIds: [alex.id, bo.id],
    });

    const page = await ui.signedInPage(alex.email);
    await page.goto(`${e2e.baseUrl}/accounts/${account.id}`);
    const body = await page.locator('main').textContent();
    expect(body).toContain('has not been connected to the platform yet');
    expect(body).not.toContain('made again');

    const connectAs = async (username: string) => {
      await page.locator('button', { hasText: /^(Connect|Reconnect) to X$/ }).click();
      await page.click('a:text-is("Continue to the platform")');
      await page
        .locator('li', { hasText: `@${username}` })
        .locator('a', { hasText: 'Authorize app' })
        .click();
      await page.waitForURL(new RegExp(`/accounts/${account.id}\\?`));
    };

    await connectAs('AlexPersonal');
    const refusal = await page.locator('.flash-error').textContent();
    expect(refusal).toContain(
      'You signed in to X as @AlexPersonal, but this account is @OakfieldNews. Nothing was stored.',
    );
    expect(refusal).toContain(
      'Sign out of @AlexPersonal on X (or open a private window), sign in to X as @OakfieldNews',
    );
    await saveScreenshot(page, 'connect-wrong-account');

    await connectAs('OakfieldNews');
    const done = await page.locator('.flash-ok').textContent();
    expect(done).toContain('Connected: Hallmonitor can now read and act for @OakfieldNews on X.');
    expect(done).toContain('Activate the account to start monitoring its comments.');

    await connectAs('OakfieldNews');
    expect(await page.locator('.flash-ok').textContent()).toContain(
      'Reconnected: Hallmonitor can read and act for @OakfieldNews on X again.',
    );
  });
});
