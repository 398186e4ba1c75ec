import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { parentRequests, socialAccounts } from '../../db/schema/index.js';
import { createPasswordUser } from '../helpers/e2e-app.js';
import { useE2eBrowser } from '../helpers/e2e-browser.js';
import { expectAuditEntry } from '../helpers/expect-audit-entry.js';
import { createAccount, createComment, createSchool } from '../helpers/factories.js';

const ui = useE2eBrowser();
type Person = { id: string; email: string };
let schoolId: string;
let accountId: string;
let ash: Person;
let cam: Person;
let hana: Person;
let bea: Person;
let tara: Person;

beforeAll(async () => {
  const db = ui.e2e.t.db;
  const school = await createSchool(db, { name: 'Willow Primary' });
  schoolId = school.id;
  const person = (email: string, displayName: string, role: 'comms' | 'senior_leader' | 'trust_admin') =>
    createPasswordUser(ui.e2e, { trustId: school.trustId, email, displayName, roles: [{ schoolId, role }] });
  ash = await person('ash@willow.test', 'Ash Admin', 'comms');
  const ben = await person('ben@willow.test', 'Ben Admin', 'comms');
  cam = await person('cam@willow.test', 'Cam Comms', 'comms');
  hana = await person('hana@willow.test', 'Hana Head', 'senior_leader');
  bea = await person('bea@willow.test', 'Bea Behaviour', 'comms');
  tara = await person('tara@willow.test', 'Tara Trustadmin', 'trust_admin');
  // Named safeguarding lead by the trust admin in the P8 test.
  await person('dev@willow.test', 'Dev Designated', 'comms');
  accountId = (
    await createAccount(db, { schoolId, handle: 'willow', status: 'active', adminIds: [ash.id, ben.id] })
  ).id;
});

describe('P9 in the browser: a parent asked to remove their comment', () => {
  it('comms marks the author a parent; the admin asks privately (X’s rule shown); the head escalates from the list', async () => {
    const comment = await createComment(ui.e2e.t.db, {
      schoolId,
      accountId,
      text: 'The head is useless and this school is a joke',
      categories: ['offensive'],
    });
    const comms = await ui.signedInPage(cam.email);
    await comms.goto(`${ui.e2e.baseUrl}/comments/${comment.id}`);
    const who = comms.getByRole('region', { name: 'Who wrote it' });
    expect(await who.textContent()).toContain('Not marked as a parent or a pupil.');
    // Each form's note box says which it is for (not two boxes both called "How you know").
    expect(await who.getByLabel('How you know they are a parent or carer (optional)').count()).toBe(1);
    expect(await who.getByLabel('How you know they are a pupil (optional)').count()).toBe(1);
    await who.getByRole('button', { name: 'Mark the author as a parent or carer' }).click();
    await expect
      .poll(() => comms.locator('.flash-ok').textContent())
      .toBe('Marked as a parent or carer: you can now ask them to remove the comment and talk.');
    expect(await comms.locator('#author-marks').textContent()).toContain(
      'Marked as a parent or carer by Cam Comms',
    );

    const admin = await ui.signedInPage(ash.email);
    await admin.goto(`${ui.e2e.baseUrl}/comments/${comment.id}`);
    const form = admin.locator('#parent-form');
    expect(await form.textContent()).toContain(
      'X lets the account send a direct message only to someone who accepts messages from it',
    );
    await form.getByRole('radio', { name: /^Privately/ }).check();
    await form.getByRole('button', { name: 'Ask the parent' }).click();
    await expect
      .poll(() => admin.locator('.flash-ok').textContent())
      .toMatch(/^Recorded: send the private message in the platform’s app/);
    expect(await admin.locator('#parent-request').textContent()).toContain('Awaiting removal');
    await expectAuditEntry(ui.e2e.t.db, {
      action: 'comment.parent_asked',
      subjectId: comment.id,
      actorId: ash.id,
    });

    const head = await ui.signedInPage(hana.email);
    await head.goto(`${ui.e2e.baseUrl}/parent-requests`);
    const [request] = await ui.e2e.t.db
      .select()
      .from(parentRequests)
      .where(eq(parentRequests.commentId, comment.id));
    const row = head.locator(`tr[data-request-id="${request!.id}"]`);
    expect(await row.textContent()).toContain('Awaiting removal');
    expect(await row.textContent()).toContain('Private message by Ash Admin');
    await row.getByLabel('Why escalate').fill('Still up after three days; no reply to our message');
    await row.getByRole('button', { name: 'Escalate to senior leaders' }).click();
    await expect
      .poll(() => head.locator('.flash-ok').textContent())
      .toBe('Escalated: the senior leaders have it in their escalations queue.');
    expect(await row.textContent()).toContain('Escalated to senior leaders');
  });
});

describe('Pupils in the browser: not engaged with, sent to the behaviour lead', () => {
  it('the head names the behaviour lead; the reply box says why and refuses; the behaviour lead is told', async () => {
    const head = await ui.signedInPage(hana.email);
    await head.goto(`${ui.e2e.baseUrl}/schools/${schoolId}/settings`);
    const people = head.getByRole('region', { name: 'People the policy requires' });
    await people.getByLabel('Behaviour lead', { exact: true }).selectOption({ label: 'Bea Behaviour' });
    await people.getByRole('button', { name: 'Save behaviour lead' }).click();
    await expect
      .poll(() => head.locator('.flash-ok').textContent())
      .toBe('Behaviour lead saved: pupils’ comments go to them');

    const comment = await createComment(ui.e2e.t.db, {
      schoolId,
      accountId,
      text: 'im in year 6 and my teacher is so unfair',
    });
    const comms = await ui.signedInPage(cam.email);
    await comms.goto(`${ui.e2e.baseUrl}/comments/${comment.id}`);
    const notice = comms.locator('#pupil-notice');
    expect(await notice.textContent()).toContain(
      'This comment appears to come from a pupil (it says “im in year 6”)',
    );
    expect(await notice.textContent()).toContain('the behaviour lead, Bea Behaviour');
    await comms.locator('#reply-text').fill('Please speak to your teacher tomorrow');
    await comms.getByRole('button', { name: /^Send/ }).first().click();
    await expect
      .poll(() => comms.locator('.form-error').first().textContent())
      .toContain('The school does not reply to pupils on its accounts');

    // Marked a pupil by staff: routed to the behaviour lead, who sees it in their notifications.
    await comms
      .getByRole('region', { name: 'Who wrote it' })
      .getByRole('button', { name: 'Mark the author as a pupil' })
      .click();
    await expect.poll(() => comms.locator('.flash-ok').textContent()).toMatch(/^Marked as a pupil/);
    const lead = await ui.signedInPage(bea.email);
    await lead.goto(`${ui.e2e.baseUrl}/notifications`);
    expect(await lead.locator('main').textContent()).toContain('A comment appears to come from a pupil');
  });
});

describe('P8 in the browser: a safeguarding lead must exist', () => {
  it('the head cannot activate until the trust admin names a safeguarding lead, then can', async () => {
    const connected = await createAccount(ui.e2e.t.db, {
      schoolId,
      handle: 'willow_pe',
      status: 'connected',
      adminIds: [ash.id, cam.id],
    });
    const head = await ui.signedInPage(hana.email);
    await head.goto(`${ui.e2e.baseUrl}/accounts/${connected.id}`);
    const blockers = head.getByRole('region', { name: 'Before it can be activated' });
    expect(await blockers.textContent()).toContain(
      'the school has no safeguarding lead: a trust admin must name one first',
    );
    await head.getByRole('button', { name: 'Activate monitoring' }).click();
    await expect
      .poll(() => head.locator('.flash-error').textContent())
      .toContain('the school has no safeguarding lead');

    const ta = await ui.signedInPage(tara.email);
    await ta.goto(`${ui.e2e.baseUrl}/people`);
    const devRow = ta.locator('tr', { hasText: 'Dev Designated' });
    await devRow.locator('summary').click();
    await devRow.getByLabel('Role').selectOption('safeguarding_lead');
    await devRow.getByRole('button', { name: 'Grant role' }).click();
    await expect.poll(() => ta.locator('.flash-ok').textContent()).toMatch(/^Granted safeguarding lead/);

    await head.goto(`${ui.e2e.baseUrl}/accounts/${connected.id}`);
    expect(await head.locator('main').textContent()).not.toContain('the school has no safeguarding lead');
    await head.getByRole('button', { name: 'Activate monitoring' }).click();
    await expect
      .poll(() => head.locator('.flash-ok').textContent())
      .toBe('@willow_pe on X is active: monitoring has started');
    const [row] = await ui.e2e.t.db.select().from(socialAccounts).where(eq(socialAccounts.id, connected.id));
    expect(row!.status).toBe('active');
  });
});
