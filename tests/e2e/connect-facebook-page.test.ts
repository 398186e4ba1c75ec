/// <reference lib="dom" />
import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { socialAccounts } from '../../db/schema/index.js';
import { saveScreenshot } from '../helpers/browser.js';
import { createPasswordUser, type E2eApp } from '../helpers/e2e-app.js';
import { useE2eBrowser } from '../helpers/e2e-browser.js';
import { createAccount, createSchool } from '../helpers/factories.js';

/** The app with Facebook on, against the sandbox (its Login dialog is the one other host a page may reach). */
const ui = useE2eBrowser({ meta: true, allowHosts: () => [new URL(ui.e2e.sandbox!.url).host] });
let e2e: E2eApp;

beforeAll(() => {
  e2e = ui.e2e;
});

describe('connecting a Facebook Page in the browser', () => {
  it('Facebook Login, then the Page picker: the approved Page is chosen, the others say why not', async () => {
    const m = e2e.sandbox!.meta.state;
    const page = m.createPage({
      name: 'Oakfield Primary',
      admins: ['Jo Head'],
      instagram: { username: 'oakfield_primary' },
    });
    // A hostile Page name: shown as text, never as markup.
    m.createPage({ name: '<img src=x onerror=alert(1)> Bakery \u202Eevil', admins: ['Jo Head'] });
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
    const account = await createAccount(e2e.t.db, {
      schoolId: school.id,
      platform: 'facebook',
      handle: 'OakfieldPrimary',
      status: 'approved',
      credentialStatus: 'none',
      adminIds: [alex.id, bo.id],
    });
    await e2e.t.db
      .update(socialAccounts)
      .set({ platformUserId: null })
      .where(eq(socialAccounts.id, account.id));

    const browser = await ui.signedInPage(alex.email);
    await browser.goto(`${e2e.baseUrl}/accounts/${account.id}`);
    await browser.locator('button', { hasText: /^Connect a Facebook Page$/ }).click();
    await browser.click('a:text-is("Continue to the platform")');
    await browser
      .locator('li', { hasText: 'Jo Head' })
      .locator('a', { hasText: 'Continue as Jo Head' })
      .click();
    await browser.waitForURL(new RegExp(`/accounts/${account.id}/connect/facebook\\?picker=`));

    expect(await browser.locator('h1').textContent()).toBe('Choose the Facebook Page');
    const rows = browser.locator('table.page-picker tbody tr');
    expect(await rows.count()).toBe(2);
    const oakfield = rows.filter({ hasText: 'Oakfield Primary' });
    expect(await oakfield.locator('td').nth(1).textContent()).toBe('@oakfield_primary');
    const bakery = rows.filter({ hasText: 'Bakery' });
    expect(await bakery.locator('td').first().textContent()).toContain('<img src=x onerror=alert(1)>');
    expect(await bakery.textContent()).toContain('not the approved account (OakfieldPrimary)');
    expect(await bakery.locator('button').count()).toBe(0);
    await saveScreenshot(browser, 'facebook-page-picker');

    await oakfield.locator('button', { hasText: 'Connect Oakfield Primary' }).click();
    await browser.waitForURL(new RegExp(`/accounts/${account.id}\\?connected=new`));
    const done = await browser.locator('.flash-ok').textContent();
    expect(done).toContain('Connected: Hallmonitor can now read and act for OakfieldPrimary on Facebook.');
    expect(done).toContain('Activate the account to start monitoring its comments.');
    const [row] = await e2e.t.db.select().from(socialAccounts).where(eq(socialAccounts.id, account.id));
    expect(row).toMatchObject({ status: 'connected', platformUserId: page.id, credentialStatus: 'valid' });
  });

  it('one Facebook sign-in connects the Page and, from its row, the Instagram account it links', async () => {
    const m = e2e.sandbox!.meta.state;
    const page = m.createPage({
      name: 'Hillside Primary',
      admins: ['Pat Head'],
      instagram: { username: 'hillside_primary' },
    });
    const school = await createSchool(e2e.t.db, { name: 'Hillside Primary' });
    const comms = [{ schoolId: school.id, role: 'comms' as const }];
    const cy = await createPasswordUser(e2e, {
      trustId: school.trustId,
      email: 'cy@hillside.test',
      displayName: 'Cy Admin',
      roles: comms,
    });
    const di = await createPasswordUser(e2e, {
      trustId: school.trustId,
      email: 'di@hillside.test',
      displayName: 'Di Admin',
      roles: comms,
    });
    const approved = { schoolId: school.id, status: 'approved' as const, credentialStatus: 'none' as const };
    const fb = await createAccount(e2e.t.db, {
      ...approved,
      platform: 'facebook',
      handle: 'HillsidePrimary',
      adminIds: [cy.id, di.id],
    });
    const ig = await createAccount(e2e.t.db, {
      ...approved,
      platform: 'instagram',
      handle: 'hillside_primary',
      adminIds: [cy.id, di.id],
    });
    for (const id of [fb.id, ig.id])
      await e2e.t.db.update(socialAccounts).set({ platformUserId: null }).where(eq(socialAccounts.id, id));

    const browser = await ui.signedInPage(cy.email);
    await browser.goto(`${e2e.baseUrl}/accounts/${fb.id}`);
    await browser.locator('button', { hasText: /^Connect a Facebook Page$/ }).click();
    await browser.click('a:text-is("Continue to the platform")');
    await browser
      .locator('li', { hasText: 'Pat Head' })
      .locator('a', { hasText: 'Continue as Pat Head' })
      .click();
    await browser.waitForURL(new RegExp(`/accounts/${fb.id}/connect/facebook\\?picker=`));
    const pickerUrl = browser.url();
    expect(await browser.locator('main').textContent()).toContain('You signed in to Facebook as Pat Head.');
    const row = browser.locator('table.page-picker tbody tr', { hasText: 'Hillside Primary' });
    await row.locator('button', { hasText: 'Connect @hillside_primary too' }).click();
    await browser.waitForURL(new RegExp(`/accounts/${ig.id}\\?connected=new`));
    expect(await browser.locator('.flash-ok').textContent()).toContain('on Instagram');

    await browser.goto(pickerUrl);
    await browser
      .locator('table.page-picker tbody tr', { hasText: 'Hillside Primary' })
      .locator('button', { hasText: 'Connect Hillside Primary' })
      .click();
    await browser.waitForURL(new RegExp(`/accounts/${fb.id}\\?connected=new`));
    const rows = await e2e.t.db.select().from(socialAccounts).where(eq(socialAccounts.schoolId, school.id));
    expect(Object.fromEntries(rows.map((r) => [r.platform, [r.status, r.platformUserId]]))).toEqual({
      facebook: ['connected', page.id],
      instagram: ['connected', page.igUserId],
    });
  });
});
