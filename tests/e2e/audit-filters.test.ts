import { beforeAll, describe, expect, it } from 'vitest';
import { emitAudit } from '../../services/audit/emit-audit.js';
import { selectsCutOff } from '../helpers/browser.js';
import { createPasswordUser } from '../helpers/e2e-app.js';
import { useE2eBrowser } from '../helpers/e2e-browser.js';
import { createAccount, createSchool } from '../helpers/factories.js';

const ui = useE2eBrowser();
let auditorEmail: string;

beforeAll(async () => {
  const db = ui.e2e.t.db;
  const school = await createSchool(db, { name: 'Oakfield Primary' });
  const auditor = await createPasswordUser(ui.e2e, {
    trustId: school.trustId,
    email: 'auditor@oakfield.test',
    displayName: 'Avery Auditor',
    roles: [{ schoolId: school.id, role: 'auditor' }],
  });
  auditorEmail = auditor.email;
  const casey = await createPasswordUser(ui.e2e, {
    trustId: school.trustId,
    email: 'casey@oakfield.test',
    displayName: 'Casey Comms',
    roles: [{ schoolId: school.id, role: 'comms' }],
  });
  const dana = await createPasswordUser(ui.e2e, {
    trustId: school.trustId,
    email: 'dana@oakfield.test',
    displayName: 'Dana Head',
    roles: [{ schoolId: school.id, role: 'senior_leader' }],
  });
  const main = await createAccount(db, { schoolId: school.id, handle: 'oakfield_main' });
  const pta = await createAccount(db, { schoolId: school.id, handle: 'oakfield_pta' });
  const by = (u: { id: string }, name: string) => ({
    actor: { type: 'user' as const, id: u.id, label: name },
    requestId: 'seed',
  });
  await db.transaction(async (tx) => {
    await emitAudit(tx, by(casey, 'Casey Comms'), {
      action: 'account.settings_changed',
      schoolId: school.id,
      subject: { type: 'account', id: main.id, label: 'Main account settings' },
    });
    await emitAudit(tx, by(dana, 'Dana Head'), {
      action: 'account.reviewed',
      schoolId: school.id,
      subject: { type: 'account', id: pta.id, label: 'PTA account review' },
    });
    await emitAudit(tx, by(dana, 'Dana Head'), {
      action: 'account.settings_changed',
      schoolId: school.id,
      subject: { type: 'account', id: main.id, label: 'Main account second change' },
    });
  });
});

const rowSubjects = async (page: import('playwright-core').Page) =>
  (await page.locator('table.audit-log tbody tr td:nth-child(5)').allTextContents()).map((t) =>
    t.split('Oakfield')[0]!.trim(),
  );

describe('the audit page’s filters, as an auditor', () => {
  it('filters by an account and by a person with the pickers, at 390 px wide', async () => {
    const page = await ui.signedInPage(auditorEmail, { viewport: { width: 390, height: 844 } });
    await page.goto(`${ui.e2e.baseUrl}/audit`);
    expect((await rowSubjects(page)).sort()).toEqual(
      ['Main account second change', 'Main account settings', 'PTA account review'].sort(),
    );

    await page
      .locator('select[name="accountId"]')
      .selectOption({ label: '@oakfield_pta (x, Oakfield Primary)' });
    await page.getByRole('button', { name: 'Search' }).click();
    await expect.poll(() => rowSubjects(page)).toEqual(['PTA account review']);

    await page.locator('select[name="accountId"]').selectOption({ label: 'Any account' });
    await page.locator('select[name="actorId"]').selectOption({ label: 'Dana Head (dana@oakfield.test)' });
    await page.getByRole('button', { name: 'Search' }).click();
    await expect
      .poll(async () => (await rowSubjects(page)).sort())
      .toEqual(['Main account second change', 'PTA account review'].sort());
    // The picker keeps the choice, and the page does not scroll sideways at 390 px.
    expect(await page.locator('select[name="actorId"]').inputValue()).not.toBe('');
    // and shows the chosen person's name and email whole, not cut off at the select's edge.
    expect(await selectsCutOff(page, 'form.filters')).toEqual([]);
    expect(
      await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth),
    ).toBeLessThanOrEqual(0);

    // From a row: only the entries about that subject.
    await page
      .locator('tr', { hasText: 'PTA account review' })
      .getByRole('link', { name: 'Only entries about this' })
      .click();
    await expect.poll(() => rowSubjects(page)).toEqual(['PTA account review']);
  });
});
