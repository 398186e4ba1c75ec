import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { users } from '../../db/schema/index.js';
import { createPasswordUser } from '../helpers/e2e-app.js';
import { useE2eBrowser } from '../helpers/e2e-browser.js';
import { expectAuditEntry } from '../helpers/expect-audit-entry.js';
import { createSchool } from '../helpers/factories.js';

const ui = useE2eBrowser();
let admin: { id: string; email: string };
let staff: { id: string; email: string };
let schoolName: string;

beforeAll(async () => {
  const school = await createSchool(ui.e2e.t.db, { name: 'Oakfield Primary' });
  schoolName = school.name;
  admin = await createPasswordUser(ui.e2e, {
    trustId: school.trustId,
    email: 'trustadmin@oakfield.test',
    displayName: 'Tara Trustadmin',
    roles: [{ schoolId: school.id, role: 'trust_admin' }],
  });
  staff = await createPasswordUser(ui.e2e, {
    trustId: school.trustId,
    email: 'casey@oakfield.test',
    displayName: 'Casey Comms',
    roles: [{ schoolId: school.id, role: 'comms' }],
  });
});

describe('people and roles in the browser', () => {
  it('a trust admin invites a person, grants and revokes a role, and disables someone who is then signed out', async () => {
    const page = await ui.signedInPage(admin.email);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'People' }).click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('People and roles');
    const caseyRow = page.locator(`tr[data-user-id="${staff.id}"]`);
    expect(await caseyRow.locator('.role-list').textContent()).toContain(`Comms staff at ${schoolName}`);

    // Invite, with a first role.
    await page.getByLabel('Full name').fill('Nia Newstarter');
    await page.getByLabel('Email address').fill('nia@oakfield.test');
    await page.getByLabel('First role').selectOption('auditor');
    await page.getByRole('button', { name: 'Invite' }).click();
    await expect
      .poll(() => page.locator('.flash-ok').textContent())
      .toBe('Invited Nia Newstarter (nia@oakfield.test)');
    const nia = page.locator('tr', { hasText: 'Nia Newstarter' });
    expect(await nia.locator('.role-list').textContent()).toContain(`Auditor at ${schoolName}`);
    expect(await nia.textContent()).toContain('Invited');
    const [niaRow] = await ui.e2e.t.db.select().from(users).where(eq(users.email, 'nia@oakfield.test'));
    await expectAuditEntry(ui.e2e.t.db, { action: 'user.created', subjectId: niaRow!.id, actorId: admin.id });

    // Grant Casey the senior leader role, then revoke comms.
    await caseyRow.locator('summary').click();
    await caseyRow.getByLabel('Role').selectOption('senior_leader');
    await caseyRow.getByRole('button', { name: 'Grant role' }).click();
    await expect.poll(() => page.locator('.flash-ok').textContent()).toMatch(/^Granted senior leader/);
    expect(await caseyRow.locator('.role-list').textContent()).toContain(`Senior leader at ${schoolName}`);
    await caseyRow
      .getByRole('button', { name: `Revoke Comms staff at ${schoolName} from Casey Comms` })
      .click();
    await expect.poll(() => page.locator('.flash-ok').textContent()).toMatch(/^Revoked comms staff/);
    expect(await caseyRow.locator('.role-list').textContent()).not.toContain('Comms staff');
    await expectAuditEntry(ui.e2e.t.db, {
      action: 'user.role_revoked',
      subjectId: staff.id,
      actorId: admin.id,
    });

    // Casey is signed in elsewhere; disabling signs them out there.
    const casey = await ui.signedInPage(staff.email);
    await caseyRow.locator('summary').click();
    await caseyRow.getByLabel('Reason (recorded in the audit log)').fill('Left the school');
    await caseyRow.getByRole('button', { name: 'Disable sign-in' }).click();
    await expect
      .poll(() => page.locator('.flash-ok').textContent())
      .toMatch(/^Disabled: they can no longer sign in/);
    expect(await caseyRow.locator('.tag').textContent()).toBe('Disabled');
    await expectAuditEntry(ui.e2e.t.db, { action: 'user.disabled', subjectId: staff.id, actorId: admin.id });
    await casey.reload();
    expect(new URL(casey.url()).pathname).toBe('/login');
  });

  it('refuses the screen to anyone but a trust admin, with the styled 403 page', async () => {
    const school = await createSchool(ui.e2e.t.db);
    const comms = await createPasswordUser(ui.e2e, {
      trustId: school.trustId,
      email: 'other-comms@oakfield.test',
      roles: [{ schoolId: school.id, role: 'comms' }],
    });
    const page = await ui.signedInPage(comms.email);
    expect(
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'People' }).count(),
    ).toBe(0);
    const res = await page.goto(`${ui.e2e.baseUrl}/people`);
    expect(res?.status()).toBe(403);
    expect(await page.locator('h1').textContent()).toBe('You do not have access to this');
  });
});
