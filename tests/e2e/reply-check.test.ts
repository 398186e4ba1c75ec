/// <reference lib="dom" />
import { beforeAll, describe, expect, it } from 'vitest';
import { saveScreenshot } from '../helpers/browser.js';
import { createPasswordUser, type E2eApp } from '../helpers/e2e-app.js';
import { useE2eBrowser } from '../helpers/e2e-browser.js';
import { createComment, createSchool } from '../helpers/factories.js';
import { connectSandboxAccount } from '../helpers/sandbox-account.js';

/** The app with its workers, Chromium, and a watch on every page: axe-core and no request off the app's host. */
const ui = useE2eBrowser({ workers: true });
let e2e: E2eApp;

beforeAll(() => {
  e2e = ui.e2e;
});
const signedInPage = (email: string) => ui.signedInPage(email);

const REPLY =
  'Sorry to hear that. Please email office@brookfield.sch.uk or ring 01632 960123 and we will help.';

describe('the reply check in the browser (#16 reply check, #20 item 5)', () => {
  it('once a senior leader publishes the office email, comms can reply with it and it reaches X', async () => {
    const sandbox = e2e.sandbox!;
    const school = await createSchool(e2e.t.db, { name: 'Brookfield Primary' });
    const [casey, sam] = await Promise.all([
      createPasswordUser(e2e, {
        trustId: school.trustId,
        email: 'casey@brookfield.test',
        displayName: 'Casey Comms',
        roles: [{ schoolId: school.id, role: 'comms' }],
      }),
      createPasswordUser(e2e, {
        trustId: school.trustId,
        email: 'sam@brookfield.test',
        displayName: 'Sam Senior',
        roles: [{ schoolId: school.id, role: 'senior_leader' }],
      }),
    ]);
    const { account, user } = await connectSandboxAccount(e2e.t.db, sandbox, e2e.config, {
      schoolId: school.id,
      username: 'brookfield_e2e',
      adminIds: [sam.id],
    });
    const post = sandbox.state.createPost({ author: user.id, text: 'Year 6 residential letters are out' });
    const parent = sandbox.state.injectComment({
      from: 'parent_1',
      inReplyTo: post.id,
      text: 'I never got the letter, who do I contact?',
    });
    const comment = await createComment(e2e.t.db, {
      schoolId: school.id,
      accountId: account.id,
      externalId: parent.id,
      conversationId: post.id,
      inReplyToExternalId: post.id,
      authorExternalId: parent.authorId,
      authorHandle: 'parent_1',
      text: parent.text,
      processedAt: new Date(),
      deadlineAt: new Date(Date.now() + 6 * 3_600_000),
    });

    // Before the school publishes it, the office email reads as someone's personal data.
    const comms = await signedInPage(casey.email);
    await comms.goto(`${e2e.baseUrl}/comments/${comment.id}`);
    await comms.fill('#reply-text', REPLY);
    await comms.click('#compose button[type=submit]');
    await expect.poll(() => comms.locator('main').textContent()).toContain('personal data');

    // A senior leader publishes the office details on the settings page.
    const senior = await signedInPage(sam.email);
    await senior.goto(`${e2e.baseUrl}/schools/${school.id}/settings`);
    await senior.getByLabel('Office email addresses, one per line').fill('office@brookfield.sch.uk');
    await senior.getByLabel('Office phone numbers, one per line').fill('01632 960123');
    await senior.getByLabel('Postal address').fill('12 Church Road, Brookfield BF1 2AB');
    await Promise.all([senior.waitForURL(/\/settings/), senior.click('text=Save contact details')]);
    expect(await senior.locator('.flash-ok').textContent()).toContain('Contact details saved');
    expect(await senior.getByLabel('Office email addresses, one per line').inputValue()).toBe(
      'office@brookfield.sch.uk',
    );
    await saveScreenshot(senior, 'settings-contact-details');

    // The same reply now goes out.
    await comms.goto(`${e2e.baseUrl}/comments/${comment.id}`);
    await comms.fill('#reply-text', REPLY);
    await comms.click('#compose button[type=submit]');
    await expect
      .poll(() => comms.locator('.flash-ok').textContent())
      .toBe('Your reply is queued for the platform; the page shows when it is sent.');
    await expect
      .poll(() => sandbox.state.tweetsBy(user.id).map((t) => t.text), { timeout: 30_000 })
      .toContainEqual(expect.stringContaining('office@brookfield.sch.uk'));
  });
});
