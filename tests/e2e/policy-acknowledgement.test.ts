import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { responses } from '../../db/schema/index.js';
import { createPasswordUser } from '../helpers/e2e-app.js';
import { useE2eBrowser } from '../helpers/e2e-browser.js';
import { expectAuditEntry } from '../helpers/expect-audit-entry.js';
import { createAccount, createComment, createSchool, TEST_POLICY_VERSION } from '../helpers/factories.js';

const ui = useE2eBrowser();
let commentId: string;
let casey: { id: string; email: string };
let tara: { id: string; email: string };

beforeAll(async () => {
  const db = ui.e2e.t.db;
  const school = await createSchool(db, { name: 'Oakfield Primary' });
  casey = await createPasswordUser(ui.e2e, {
    trustId: school.trustId,
    email: 'casey@oakfield.test',
    displayName: 'Casey Comms',
    roles: [{ schoolId: school.id, role: 'comms' }],
    acknowledgePolicy: false,
  });
  tara = await createPasswordUser(ui.e2e, {
    trustId: school.trustId,
    email: 'tara@oakfield.test',
    displayName: 'Tara Trustadmin',
    roles: [{ schoolId: school.id, role: 'trust_admin' }],
  });
  const account = await createAccount(db, { schoolId: school.id, handle: 'oakfield' });
  commentId = (await createComment(db, { schoolId: school.id, accountId: account.id })).id;
});

describe('P5 in the browser: acknowledge the policy before replying', () => {
  it('a reply is refused with a link to the policy; acknowledging it lets the reply through; a new version asks again', async () => {
    const page = await ui.signedInPage(casey.email);
    const reply = async (text: string) => {
      await page.goto(`${ui.e2e.baseUrl}/comments/${commentId}`);
      await page.selectOption('#reply-kind', 'private_reply');
      await page.fill('#reply-text', text);
      await page.locator('#compose').getByRole('button', { name: 'Send' }).click();
    };
    await reply('Thank you, we have emailed you the details.');
    await expect.poll(() => page.locator('#compose .form-error').count()).toBe(1);
    expect(await page.locator('#compose .form-error').textContent()).toContain(
      `read and acknowledge the school's social media policy (version ${TEST_POLICY_VERSION})`,
    );
    await page.getByRole('link', { name: 'Read and acknowledge the policy' }).click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('Social media policy: Oakfield Primary');
    await page.getByLabel(/I have read version/).check();
    await page.getByRole('button', { name: 'Acknowledge the policy' }).click();
    await expect
      .poll(() => page.locator('.flash-ok').first().textContent())
      .toBe(`Thank you: you have acknowledged version ${TEST_POLICY_VERSION}`);
    await expectAuditEntry(ui.e2e.t.db, { action: 'policy.acknowledged', actorId: casey.id });

    await reply('Thank you, we have emailed you the details.');
    await expect.poll(() => page.locator('.flash-ok').count()).toBe(1);
    expect(await ui.e2e.t.db.select().from(responses).where(eq(responses.commentId, commentId))).toHaveLength(
      1,
    );

    // The trust admin publishes a new version from the policy page.
    const admin = await ui.signedInPage(tara.email);
    await admin.goto(`${ui.e2e.baseUrl}/policy`);
    await admin.getByLabel('Version label').fill('2027-01');
    await admin.getByLabel('Link to the policy document').fill('https://oakfield.example/policy-2027.pdf');
    await admin.getByRole('button', { name: 'Publish this version' }).click();
    await expect
      .poll(() => admin.locator('.flash-ok').first().textContent())
      .toBe('Published version 2027-01: everyone is asked to acknowledge it');
    expect(await admin.getByRole('region', { name: 'Still to acknowledge' }).textContent()).toContain(
      'Casey Comms',
    );

    await reply('One more thing: the fair starts at ten.');
    await expect.poll(() => page.locator('#compose .form-error').count()).toBe(1);
    expect(await page.locator('#compose .form-error').textContent()).toContain('(version 2027-01)');
    expect(
      await page.getByRole('link', { name: 'Read and acknowledge the policy' }).getAttribute('href'),
    ).toMatch(/^\/schools\/[0-9a-f-]+\/policy$/);
  });
});
