/// <reference lib="dom" />
import { beforeAll, describe, expect, it } from 'vitest';
import { sealCredentials } from '../../services/accounts/account-credentials.js';
import { createPasswordUser, type E2eApp } from '../helpers/e2e-app.js';
import { useE2eBrowser } from '../helpers/e2e-browser.js';
import { createAccount, createComment, createSchool } from '../helpers/factories.js';

/** The app with Facebook and Instagram on, against the Meta sandbox. */
const ui = useE2eBrowser({ meta: true });
let e2e: E2eApp;

beforeAll(() => {
  e2e = ui.e2e;
});

describe('an Instagram comment page in the browser', () => {
  it('shows the reply limit, refuses an over-long reply inline, and an admin turns commenting off on the post', async () => {
    const m = e2e.sandbox!.meta.state;
    const page = m.createPage({
      name: 'Brook Primary',
      admins: ['Lee Head'],
      instagram: { username: 'brook_primary' },
    });
    const school = await createSchool(e2e.t.db, { name: 'Brook Primary' });
    const admin = await createPasswordUser(e2e, {
      trustId: school.trustId,
      email: 'ash@brook.test',
      displayName: 'Ash Admin',
      roles: [{ schoolId: school.id, role: 'comms' }],
    });
    const account = await createAccount(e2e.t.db, {
      schoolId: school.id,
      platform: 'instagram',
      handle: 'brook_primary',
      platformUserId: page.igUserId!,
      credentialsEncrypted: sealCredentials(e2e.config.encryptionKey, {
        accessToken: m.issuePageToken(page.id).token,
      }),
      adminIds: [admin.id],
    });
    const media = m.createMedia({ owner: 'brook_primary', caption: 'Sports day' });
    const raw = m.addIgComment({ on: media.id, from: 'angry_dad', text: 'worst sports day ever' });
    const comment = await createComment(e2e.t.db, {
      schoolId: school.id,
      accountId: account.id,
      platform: 'instagram',
      externalId: raw.id,
      conversationId: media.id,
      inReplyToExternalId: media.id,
      authorExternalId: raw.fromId,
      authorHandle: 'angry_dad',
      text: raw.text,
    });

    const browser = await ui.signedInPage(admin.email);
    await browser.goto(`${e2e.baseUrl}/comments/${comment.id}`);
    expect(await browser.locator('#reply-limit').textContent()).toBe(
      'Instagram allows 2,200 characters in a reply, sign-off included.',
    );
    await browser.fill('#reply-text', 'We are sorry to hear that. '.repeat(90));
    await browser.locator('#compose button[type=submit]', { hasText: 'Send' }).click();
    await browser.waitForLoadState();
    expect(await browser.locator('#compose .form-error').textContent()).toMatch(
      /This reply is 2,[0-9]{3} characters with its sign-off; Instagram allows 2,200\. Shorten it by [0-9,]+ characters\./,
    );
    expect(await browser.inputValue('#reply-text')).toContain('We are sorry to hear that.');

    await browser.fill('#post-commenting-reason', 'Pile-on after sports day');
    await browser.locator('button', { hasText: 'Turn commenting off' }).click();
    await browser.waitForURL(`${e2e.baseUrl}/comments/${comment.id}`);
    expect(await browser.locator('.flash-ok').textContent()).toContain('Commenting is off on the post.');
    expect(m.media.get(media.id)!.commentsEnabled).toBe(false);
    expect(await browser.locator('#h-history').locator('..').textContent()).toContain(
      'Post commenting turned off',
    );
  });
});
