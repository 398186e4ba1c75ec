import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { accountRisks } from '../../db/schema/index.js';
import { createPasswordUser } from '../helpers/e2e-app.js';
import { useE2eBrowser } from '../helpers/e2e-browser.js';
import { expectAuditEntry } from '../helpers/expect-audit-entry.js';
import { createAccount, createSchool } from '../helpers/factories.js';

const ui = useE2eBrowser();
let schoolId: string;
let accountId: string;
let trustAdmin: { id: string; email: string };
let leader: { id: string; email: string };
let adminA: { id: string; email: string };

beforeAll(async () => {
  const db = ui.e2e.t.db;
  const school = await createSchool(db, { name: 'Oakfield Primary' });
  schoolId = school.id;
  const person = (
    email: string,
    displayName: string,
    role: 'trust_admin' | 'senior_leader' | 'comms' | 'safeguarding_lead',
  ) =>
    createPasswordUser(ui.e2e, { trustId: school.trustId, email, displayName, roles: [{ schoolId, role }] });
  trustAdmin = await person('ta@oakfield.test', 'Tara Trustadmin', 'trust_admin');
  leader = await person('head@oakfield.test', 'Helen Head', 'senior_leader');
  await person('dsl@oakfield.test', 'Dev Safeguarding', 'safeguarding_lead');
  adminA = await person('amy@oakfield.test', 'Amy Admin', 'comms');
  const adminB = await person('ben@oakfield.test', 'Ben Admin', 'comms');
  accountId = (
    await createAccount(db, {
      schoolId,
      handle: 'oakfield',
      status: 'active',
      adminIds: [adminA.id, adminB.id],
    })
  ).id;
});

describe('P4 in the browser: an account left with one admin', () => {
  it('is refused by default; once the school allows it the account is at risk, then red everywhere after the deadline', async () => {
    const ta = await ui.signedInPage(trustAdmin.email);
    const disableAmy = async () => {
      await ta.goto(`${ui.e2e.baseUrl}/people`);
      const row = ta.locator(`tr[data-user-id="${adminA.id}"]`);
      await row.locator('summary').click();
      await row.getByLabel('Reason (recorded in the audit log)').fill('Left the school');
      await row.getByRole('button', { name: 'Disable sign-in' }).click();
    };
    await disableAmy();
    await expect
      .poll(() => ta.locator('.flash-error').textContent())
      .toMatch(/^Disabling Amy Admin is refused: @oakfield on X would have 1 working admin \(it needs 2\)/);

    // The senior leader lets the school put accounts at risk, with two days to replace an admin.
    const head = await ui.signedInPage(leader.email);
    await head.goto(`${ui.e2e.baseUrl}/schools/${schoolId}/settings`);
    const section = head.getByRole('region', { name: 'People the policy requires' });
    await section.getByLabel('When a change would leave an account short').selectOption('at_risk');
    await section.getByLabel('Days to name a replacement').fill('2');
    await section.getByRole('button', { name: 'Save people settings' }).click();
    await expect
      .poll(() => head.locator('.flash-ok').textContent())
      .toBe('People settings saved: such changes put the account at risk, with 2 days to name a replacement');

    await disableAmy();
    await expect
      .poll(() => ta.locator('.flash-ok').textContent())
      .toMatch(/^Disabled: they can no longer sign in/);
    await expectAuditEntry(ui.e2e.t.db, {
      action: 'account.at_risk',
      subjectId: accountId,
      actorId: trustAdmin.id,
    });

    // The head is told, and sees it at risk (not yet red) on the accounts list.
    await head.goto(`${ui.e2e.baseUrl}/notifications`);
    expect(await head.locator('main').textContent()).toContain('@oakfield on X is at risk');
    await head.goto(`${ui.e2e.baseUrl}/accounts`);
    const row = head.locator(`tr[data-account-id="${accountId}"]`);
    expect(await row.locator('.risk-tag').textContent()).toMatch(
      /^At risk: fewer than 2 working admins; replacement due /,
    );
    expect(await row.getAttribute('class')).toBeNull();

    // Two days later nobody has been named: red on the list, the account page and the inbox.
    await ui.e2e.t.db
      .update(accountRisks)
      .set({ dueAt: new Date(Date.now() - 60_000) })
      .where(eq(accountRisks.accountId, accountId));
    await head.reload();
    expect(await row.getAttribute('class')).toBe('risk-overdue');
    expect(await row.locator('.risk-tag').textContent()).toMatch(/^At risk, replacement overdue/);
    await row.getByRole('link', { name: '@oakfield on X' }).click();
    await expect.poll(() => head.locator('h1').textContent()).toBe('@oakfield on X');
    expect(await head.getByRole('alert').textContent()).toContain('replacement overdue');
    await head.goto(`${ui.e2e.baseUrl}/`);
    const banner = head.locator('section.risk-banner');
    expect(await banner.getAttribute('role')).toBe('alert');
    expect(await banner.locator('h2').textContent()).toContain('past their replacement deadline');
    expect(await banner.textContent()).toContain('@oakfield on X: fewer than 2 working admins');
    const color = await banner.evaluate((el) => getComputedStyle(el).borderTopColor);
    expect(color).toBe('rgb(180, 35, 24)');
  });
});
