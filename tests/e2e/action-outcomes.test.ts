/// <reference lib="dom" />
import { eq } from 'drizzle-orm';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { comments } from '../../db/schema/index.js';
import { saveScreenshot } from '../helpers/browser.js';
import { createPasswordUser, type E2eApp } from '../helpers/e2e-app.js';
import { useE2eBrowser } from '../helpers/e2e-browser.js';
import { createComment, createSchool } from '../helpers/factories.js';
import { connectSandboxAccount } from '../helpers/sandbox-account.js';

/** The app with the sandbox X and the workers (actions really run), Chromium, and the page watch. */
const ui = useE2eBrowser({ sandbox: true, workers: true });
let e2e: E2eApp;
let n = 0;

beforeAll(() => {
  e2e = ui.e2e;
});

/**
 * A school's X account with two admins and two parents' comments: one a reply to the school's own
 * post (X lets the school hide it), one a reply under a stranger's post that mentions the school
 * (X refuses to hide it).
 */
async function scene() {
  n += 1;
  const sandbox = e2e.sandbox!;
  const school = await createSchool(e2e.t.db, { name: `Oakfield Primary ${n}` });
  const comms = [{ schoolId: school.id, role: 'comms' as const }];
  const [alex, bo] = await Promise.all([
    createPasswordUser(e2e, {
      trustId: school.trustId,
      email: `alex${n}@oak.test`,
      displayName: 'Alex Admin',
      roles: comms,
    }),
    createPasswordUser(e2e, {
      trustId: school.trustId,
      email: `bo${n}@oak.test`,
      displayName: 'Bo Admin',
      roles: comms,
    }),
  ]);
  const { account, user } = await connectSandboxAccount(e2e.t.db, sandbox, e2e.config, {
    schoolId: school.id,
    username: `oakfield_out_${n}`,
    adminIds: [alex.id, bo.id],
  });
  const stranger = sandbox.state.createAccount({ username: `stranger_${n}` });
  const theirs = sandbox.state.createPost({ author: stranger.id, text: 'Look at this school' });
  const ours = sandbox.state.createPost({ author: user.id, text: 'Sports day is on Friday' });
  const store = async (post: typeof ours, text: string) => {
    const reply = sandbox.state.injectComment({ from: `parent_${n}_${post.id}`, inReplyTo: post.id, text });
    return createComment(e2e.t.db, {
      schoolId: school.id,
      accountId: account.id,
      externalId: reply.id,
      conversationId: post.id,
      inReplyToExternalId: post.id,
      authorExternalId: reply.authorId,
      authorHandle: `parent_${n}`,
      text,
      processedAt: new Date(),
      deadlineAt: new Date(Date.now() + 6 * 3_600_000),
    });
  };
  const elsewhere = await store(theirs, `@oakfield_out_${n} useless lot`);
  const own = await store(ours, 'you are all liars');
  return { school, alex, bo, account, elsewhere, own };
}

/** Reloads until the latest action's outcome line reads as expected (the worker runs it meanwhile). */
async function outcomeBecomes(page: Page, text: string) {
  await expect
    .poll(
      async () => {
        await page.reload();
        return page.locator('.actions-done .action .action-outcome').last().textContent();
      },
      { timeout: 30_000 },
    )
    .toBe(text);
}

describe('action outcomes in the browser', () => {
  it('a hide X refuses: queued says queued, then the refusal in plain words and the mute X allows instead', async () => {
    const s = await scene();
    const alex = await ui.signedInPage(s.alex.email);
    await alex.goto(`${e2e.baseUrl}/comments/${s.elsewhere.id}`);
    await alex.selectOption('#action-kind', 'hide');
    await alex.selectOption('#reason-category', 'offensive');
    await alex.fill('#reason-text', 'Insults staff');
    await alex.click('#moderate button[type=submit]');
    await expect
      .poll(() => alex.locator('.flash-ok').textContent())
      .toBe('Queued: X will hide the comment shortly. This page shows when it is done.');

    await outcomeBecomes(alex, 'Not done: X refused to hide the comment.');
    const item = alex.locator('.action').first();
    expect(await item.locator('.action-detail').textContent()).toContain(
      'X lets an account hide only replies in conversations the account started',
    );
    expect(await item.locator('.next-steps').textContent()).not.toContain('Try again');
    await saveScreenshot(alex, 'action-refused');

    await item.locator('a', { hasText: 'Mute the author instead' }).click();
    await alex.waitForURL(/\?do=mute#moderate$/);
    expect(await alex.inputValue('#action-kind')).toBe('mute');
    await alex.selectOption('#reason-category', 'offensive');
    await alex.fill('#reason-text', 'X would not hide it');
    await alex.click('#moderate button[type=submit]');
    await expect
      .poll(() => alex.locator('.flash-ok').textContent())
      .toBe('Queued: X will mute the author shortly. This page shows when it is done.');
    await outcomeBecomes(alex, 'Done on X: the author is muted.');
  });

  it('a delete X cannot do: the second admin confirms, and records by hand what was done in the X app', async () => {
    const s = await scene();
    const alex = await ui.signedInPage(s.alex.email);
    await alex.goto(`${e2e.baseUrl}/comments/${s.own.id}`);
    await alex.selectOption('#action-kind', 'delete');
    await alex.selectOption('#reason-category', 'defamatory');
    await alex.fill('#reason-text', 'Calls staff liars');
    await alex.click('#moderate button[type=submit]');
    await expect
      .poll(() => alex.locator('.flash-ok').textContent())
      .toBe('Proposed: it is waiting for a second admin.');

    const bo = await ui.signedInPage(s.bo.email);
    await bo.goto(`${e2e.baseUrl}/comments/${s.own.id}`);
    await bo.click('.pending-action button.confirm-action');
    await expect
      .poll(() => bo.locator('.flash-ok').textContent())
      .toBe("Confirmed: now do it in the platform's own app, then record it below.");
    expect(await bo.locator('.action .action-outcome').first().textContent()).toBe(
      "Approved, to be done by hand: delete the comment in X's own app, then record it here.",
    );
    // A bad evidence link is refused, named, on the page.
    await bo.fill('.record-form input[name=evidenceUrl]', 'ftp://files.example/x');
    await bo.click('.record-form button[type=submit]');
    await expect
      .poll(() => bo.locator('.error-summary li a').allTextContents())
      .toEqual(['Evidence url is not valid']);
    expect(await bo.locator('.record-form input[name=evidenceUrl]').getAttribute('aria-invalid')).toBe(
      'true',
    );

    await bo.fill('.record-form input[name=evidenceUrl]', 'https://evidence.example/deleted.png');
    await bo.fill('.record-form input[name=note]', 'Deleted from the X app on my phone');
    await bo.click('.record-form button[type=submit]');
    await expect
      .poll(() => bo.locator('.flash-ok').textContent())
      .toBe('Recorded: the delete done by hand is in the audit log.');
    expect(await bo.locator('.action .action-outcome').first().textContent()).toBe(
      "Done by hand in X's own app and recorded: the comment is deleted.",
    );
    const [row] = await e2e.t.db.select().from(comments).where(eq(comments.id, s.own.id));
    expect(row!.status).toBe('closed');
  });
});
