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

/** The app, Chromium, and a watch on every page: axe-core and no request off the app's host. */
const ui = useE2eBrowser({ workers: true });
let e2e: E2eApp;
let n = 0;

beforeAll(() => {
  e2e = ui.e2e;
});

/** A school whose X account (on the sandbox) needs two admins to hide, with one parent's reply stored. */
async function scene(text: string, flagged: boolean) {
  n += 1;
  const sandbox = e2e.sandbox!;
  const school = await createSchool(e2e.t.db, { name: `Oakfield Primary ${n}` });
  const comms = [{ schoolId: school.id, role: 'comms' as const }];
  const [adminA, adminB, casey] = await Promise.all([
    createPasswordUser(e2e, {
      trustId: school.trustId,
      email: `a${n}@oakfield.test`,
      displayName: 'Alex Admin',
      roles: comms,
    }),
    createPasswordUser(e2e, {
      trustId: school.trustId,
      email: `b${n}@oakfield.test`,
      displayName: 'Bo Admin',
      roles: comms,
    }),
    createPasswordUser(e2e, {
      trustId: school.trustId,
      email: `c${n}@oakfield.test`,
      displayName: 'Casey Comms',
      roles: comms,
    }),
  ]);
  const { account, user } = await connectSandboxAccount(e2e.t.db, sandbox, e2e.config, {
    schoolId: school.id,
    username: `oakfield_e2e_${n}`,
    adminIds: [adminA.id, adminB.id],
    settings: { twoAdminHide: true },
  });
  const post = sandbox.state.createPost({ author: user.id, text: 'Sports day is on Friday' });
  const reply = sandbox.state.injectComment({ from: `parent_${n}`, inReplyTo: post.id, text });
  const comment = await createComment(e2e.t.db, {
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
    ...(flagged
      ? {
          labels: [
            {
              category: 'offensive',
              subcategory: 'insult',
              severity: 'medium' as const,
              spans: [[8, 14]] as [number, number][],
              source: 'lexicon',
            },
          ],
          categories: ['offensive'],
        }
      : {}),
  });
  return { school, adminA, adminB, casey, account, sandboxUser: user, post, reply, comment };
}

async function signedInPage(email: string): Promise<Page> {
  return ui.signedInPage(email);
}

describe('triage in the browser', () => {
  it('two admins hide a flagged comment: one proposes, the other confirms, the worker hides it on X', async () => {
    const s = await scene('useless idiots, all of you', true);
    const alex = await signedInPage(s.adminA.email);
    await alex.click(`.inbox li[data-id="${s.comment.id}"] a.open-comment`);
    await alex.waitForURL(`${e2e.baseUrl}/comments/${s.comment.id}`);
    await saveScreenshot(alex, 'comment-page');
    await alex.selectOption('#action-kind', 'hide');
    await alex.selectOption('#reason-category', 'offensive');
    await alex.fill('#reason-text', 'Insults staff');
    await alex.click('#moderate button[type=submit]');
    await expect
      .poll(() => alex.locator('.flash-ok').textContent())
      .toBe('Proposed: it is waiting for a second admin.');
    expect(alex.url()).toBe(`${e2e.baseUrl}/comments/${s.comment.id}`);
    expect(await alex.locator('.pending-action .waiting').textContent()).toBe('waiting for a second admin');
    expect(await alex.locator('.pending-action button.confirm-action').count()).toBe(0);

    const bo = await signedInPage(s.adminB.email);
    await bo.goto(`${e2e.baseUrl}/comments/${s.comment.id}`);
    await bo.click('.pending-action button.confirm-action');
    await expect
      .poll(() => bo.locator('.flash-ok').textContent())
      .toBe('Confirmed: X will hide the comment shortly. This page shows when it is done.');

    await expect.poll(() => e2e.sandbox!.state.isHidden(s.reply.id), { timeout: 30_000 }).toBe(true);
    await expect
      .poll(
        async () => {
          await bo.reload();
          return bo.locator('.hidden-badge').count();
        },
        { timeout: 30_000 },
      )
      .toBe(1);
    expect(await bo.locator('.hidden-badge').textContent()).toBe('Hidden on X');
    const history0 = await bo.locator('table.history').textContent();
    expect(await bo.locator('.comment-status').textContent(), history0 ?? '').toBe('closed');
    const history = await bo.locator('table.history').textContent();
    // The History names entries as a person would (the raw action names are on the audit page).
    expect(history).toContain('Action proposed');
    expect(history).toContain('Alex Admin');
    expect(history).toContain('Bo Admin');
  });

  it('comms replies within the deadline: the reply reaches X and the comment shows responded in time', async () => {
    const s = await scene('What time does the fair start on Saturday?', false);
    const casey = await signedInPage(s.casey.email);
    await saveScreenshot(casey, 'inbox-triage');
    await casey.locator(`.inbox li[data-id="${s.comment.id}"]`).focus();
    await Promise.all([casey.waitForURL(/\/comments\/.*#compose$/), casey.keyboard.press('r')]);
    await expect.poll(() => casey.evaluate(() => document.activeElement?.id)).toBe('reply-text');
    await casey.selectOption('#reply-template', { label: 'Where to find information' });
    expect(await casey.inputValue('#reply-text')).toContain('latest newsletter');
    await casey.fill('#reply-text', 'The fair starts at 11am on Saturday. See you there!');
    await casey.click('#compose button[type=submit]');
    await expect
      .poll(() => casey.locator('.flash-ok').textContent())
      .toBe('Your reply is queued for the platform; the page shows when it is sent.');

    await expect
      .poll(() => e2e.sandbox!.state.tweetsBy(s.sandboxUser.id).map((t) => t.text), { timeout: 30_000 })
      // Signed with comms' initials, the school's default sign-off (002 §5).
      .toContainEqual(
        expect.stringMatching(/^The fair starts at 11am on Saturday\. See you there!\n— [A-Z]+$/),
      );
    await expect
      .poll(
        async () => {
          await casey.reload();
          return casey.locator('.deadline-result').textContent();
        },
        { timeout: 30_000 },
      )
      .toMatch(/responded in time/);
    const [row] = await e2e.t.db.select().from(comments).where(eq(comments.id, s.comment.id));
    expect(row!.status).toBe('responded');
  });
});
