import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { socialAccounts } from '../../db/schema/index.js';
import { saveScreenshot, signInInBrowser } from '../helpers/browser.js';
import { createPasswordUser, E2E_PASSWORD, type E2eApp } from '../helpers/e2e-app.js';
import { useE2eBrowser } from '../helpers/e2e-browser.js';
import { expectAuditEntry } from '../helpers/expect-audit-entry.js';
import { createAccount, createSchool, createUser } from '../helpers/factories.js';

/** The app, Chromium, and a watch on every page: axe-core and no request off the app's host. */
const ui = useE2eBrowser();
let e2e: E2eApp;

beforeAll(() => {
  e2e = ui.e2e;
});

describe('approvals in the browser', () => {
  it('a senior leader opens Approvals from the navigation and approves an account proposal', async () => {
    const school = await createSchool(e2e.t.db, { name: 'Oakfield Primary' });
    const head = await createPasswordUser(e2e, {
      trustId: school.trustId,
      email: 'head@oakfield.test',
      displayName: 'Hilary Head',
      roles: [{ schoolId: school.id, role: 'senior_leader' }],
    });
    const admins = await Promise.all(
      ['Ash Admin', 'Bo Admin'].map((displayName) =>
        createUser(e2e.t.db, {
          trustId: school.trustId,
          displayName,
          roles: [{ schoolId: school.id, role: 'comms' }],
        }),
      ),
    );
    const proposal = await createAccount(e2e.t.db, {
      schoolId: school.id,
      handle: 'oakfield_pta',
      status: 'proposed',
      credentialStatus: 'none',
      adminIds: admins.map((a) => a.id),
    });
    await e2e.t.db
      .update(socialAccounts)
      .set({ purpose: 'PTA fundraising news', audience: 'Parents', proposedBy: admins[0]!.id })
      .where(eq(socialAccounts.id, proposal.id));

    const page = await ui.newPage({ viewport: { width: 1280, height: 900 } });
    const dialogs: string[] = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    await signInInBrowser(page, e2e.baseUrl, head.email, E2E_PASSWORD);

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Approvals' }).click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('Approvals');
    const card = page.locator(`[data-account-id="${proposal.id}"]`);
    expect(await card.locator('h3').textContent()).toBe('@oakfield_pta on X');
    await card.getByLabel('Decision note (required)').fill('Fits the policy; reviewed with the governors');
    await Promise.all([
      page.waitForURL(`${e2e.baseUrl}/approvals`),
      card.getByRole('button', { name: 'Approve' }).click(),
    ]);
    await expect.poll(() => page.locator('.flash-ok').textContent()).toBe('@oakfield_pta on X approved');
    expect(await page.locator(`[data-account-id="${proposal.id}"]`).count()).toBe(0);
    await saveScreenshot(page, 'approvals');

    const [row] = await e2e.t.db.select().from(socialAccounts).where(eq(socialAccounts.id, proposal.id));
    expect(row!.status).toBe('approved');
    await expectAuditEntry(e2e.t.db, {
      action: 'account.approved',
      subjectId: proposal.id,
      actorId: head.id,
    });

    // At phone width the navigation still fits: nothing scrolls sideways, every link is visible.
    await page.setViewportSize({ width: 375, height: 800 });
    await page.goto(`${e2e.baseUrl}/approvals`);
    const overflow = (await page.evaluate(
      'document.documentElement.scrollWidth - window.innerWidth',
    )) as number;
    expect(overflow).toBeLessThanOrEqual(0);
    for (const name of ['Inbox', 'Approvals', 'Accounts', 'Deadlines']) {
      expect(await page.getByRole('link', { name, exact: true }).first().isVisible()).toBe(true);
    }
    await saveScreenshot(page, 'approvals-phone');
    expect(dialogs).toEqual([]);
    await page.context().close();
  });
});
