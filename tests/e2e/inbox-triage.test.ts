/// <reference lib="dom" />
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { StoredLabel } from '../../db/schema/index.js';
import { moderationActions } from '../../db/schema/index.js';
import { notifyFlagDigest } from '../../services/notifications/notify-flag-digest.js';
import { saveScreenshot, selectsCutOff } from '../helpers/browser.js';
import { createPasswordUser } from '../helpers/e2e-app.js';
import { useE2eBrowser } from '../helpers/e2e-browser.js';
import { createAccount, createComment, createSchool } from '../helpers/factories.js';

const ui = useE2eBrowser();
let n = 0;

const label = (category: string, subcategory: string, severity: StoredLabel['severity']): StoredLabel => ({
  category,
  subcategory,
  severity,
  spans: [],
  source: 'test',
});
const hours = (h: number) => new Date(Date.now() + h * 3_600_000);

async function scene() {
  n += 1;
  const school = await createSchool(ui.e2e.t.db, { name: `Oakfield Primary ${n}` });
  const comms = [{ schoolId: school.id, role: 'comms' as const }];
  const person = (who: string, displayName: string, roles = comms) =>
    createPasswordUser(ui.e2e, {
      trustId: school.trustId,
      email: `${who}${n}@oakfield.test`,
      displayName,
      roles,
    });
  const casey = await person('casey', 'Casey Comms');
  const alex = await person('alex', 'Alex Admin');
  const bo = await person('bo', 'Bo Admin');
  const account = await createAccount(ui.e2e.t.db, {
    schoolId: school.id,
    handle: `oakfield_${n}`,
    adminIds: [alex.id, bo.id],
  });
  return { school, casey, alex, bo, account };
}

const rowTexts = (page: Page) => page.locator('.inbox .comment .comment-text').allTextContents();

describe('the inbox for triage', () => {
  it('comms sees urgency first with the order explained, filters with "All accounts", searches, assigns and closes in bulk', async () => {
    const s = await scene();
    const at = { schoolId: s.school.id, accountId: s.account.id, processedAt: new Date(Date.now() - 60_000) };
    await createComment(ui.e2e.t.db, { ...at, text: 'Lovely concert last night', deadlineAt: hours(1) });
    await createComment(ui.e2e.t.db, {
      ...at,
      text: 'I will hurt your teachers',
      deadlineAt: hours(20),
      categories: ['offensive'],
      labels: [label('offensive', 'threat', 'high')],
    });
    await createComment(ui.e2e.t.db, {
      ...at,
      text: 'I am scared to go home',
      deadlineAt: hours(23),
      categories: ['safeguarding'],
      labels: [label('safeguarding', 'disclosure', 'high')],
    });
    await createComment(ui.e2e.t.db, { ...at, text: 'When is sports day?', deadlineAt: hours(5) });

    const page = await ui.signedInPage(s.casey.email);
    expect(await page.locator('.order-explained').textContent()).toMatch(
      /Safeguarding concerns come first, then threats, then every other comment by its response deadline/,
    );
    expect(await rowTexts(page)).toEqual([
      'I am scared to go home',
      'I will hurt your teachers',
      'Lovely concert last night',
      'When is sports day?',
    ]);
    const first = page.locator('.inbox .comment').first();
    expect(await first.locator('.urgency-badge').textContent()).toBe('Safeguarding');
    expect(await first.locator('.severity-badge').textContent()).toBe('High severity');
    expect(await first.locator('.assignee').textContent()).toBe('Unassigned');
    // Every filter shows its choice whole ("Any or nobody", not "Anyone or nobod").
    expect(await selectsCutOff(page, 'form.filters')).toEqual([]);
    await ui.checkA11y(page);

    // A comment arriving live goes where the order puts it: a threat, below the disclosure.
    await createComment(ui.e2e.t.db, {
      ...at,
      processedAt: new Date(),
      text: 'Another threat arrives',
      deadlineAt: hours(22),
      categories: ['offensive'],
      labels: [label('offensive', 'threat', 'high')],
    });
    await page.locator('.live-notice .live-show').waitFor({ state: 'visible', timeout: 20_000 });
    await page.click('.live-notice .live-show');
    expect((await rowTexts(page)).slice(0, 3)).toEqual([
      'I am scared to go home',
      'I will hurt your teachers',
      'Another threat arrives',
    ]);

    // Filter with the account left at "All accounts": the inbox, not a JSON error.
    await page.selectOption('select[name=status]', 'open');
    await page.selectOption('select[name=category]', 'offensive');
    expect(await page.locator('select[name=accountId] option:checked').textContent()).toBe('All accounts');
    await Promise.all([
      page.waitForURL(/category=offensive/),
      page.click('form.filters button[type=submit]'),
    ]);
    expect(await page.locator('h1').textContent()).toBe('Inbox');
    expect(await rowTexts(page)).toEqual(['I will hurt your teachers', 'Another threat arrives']);

    // Search over the text.
    await page.selectOption('select[name=category]', '');
    await page.fill('input[name=q]', 'CONCERT');
    await Promise.all([page.waitForURL(/q=CONCERT/), page.click('form.filters button[type=submit]')]);
    expect(await rowTexts(page)).toEqual(['Lovely concert last night']);

    // Assign it to me, then the "Me" filter finds it and the row names me.
    await page.fill('input[name=q]', '');
    await Promise.all([
      page.waitForURL((u) => !u.search.includes('CONCERT')),
      page.click('form.filters button[type=submit]'),
    ]);
    await page
      .locator('.inbox .comment', { hasText: 'Lovely concert' })
      .locator('input.select-comment')
      .check();
    await page.selectOption('select[name=assigneeId]', { label: 'Casey Comms' });
    await Promise.all([page.waitForLoadState('load'), page.click('button[formaction="/inbox/assign"]')]);
    await page.locator('.flash').waitFor();
    expect(await page.locator('.flash').textContent()).toBe('Assigned 1 comment.');
    await page.selectOption('select[name=assignee]', 'me');
    await Promise.all([page.waitForURL(/assignee=me/), page.click('form.filters button[type=submit]')]);
    expect(await rowTexts(page)).toEqual(['Lovely concert last night']);
    expect(await page.locator('.inbox .comment .assignee').textContent()).toBe('Assigned to Casey Comms');

    // Close it with a reason; shown among all comments as closed, never "due".
    await page.locator('.inbox .comment input.select-comment').check();
    await page.fill('input[name=reason]', 'Praise, no reply needed');
    await Promise.all([page.waitForLoadState('load'), page.click('button[formaction="/inbox/close"]')]);
    await page.locator('.flash').waitFor();
    expect(await page.locator('.flash').textContent()).toBe('Closed 1 comment.');
    await page.goto(`${ui.e2e.baseUrl}/?status=all&q=concert`);
    const closed = page.locator('.inbox .comment');
    expect(await closed.locator('.deadline').textContent()).toBe('Closed');
    expect(await closed.textContent()).not.toMatch(/due/);
    await saveScreenshot(page, 'inbox-urgency');
  });

  it('a row arriving live names a Facebook Page and its commenter as the page does, and a YouTube @name once', async () => {
    const s = await scene();
    const page = await createAccount(ui.e2e.t.db, {
      schoolId: s.school.id,
      platform: 'facebook',
      handle: 'Oakfield Primary School',
    });
    const channel = await createAccount(ui.e2e.t.db, {
      schoolId: s.school.id,
      platform: 'youtube',
      handle: 'oakfieldtube',
    });
    const at = { schoolId: s.school.id, processedAt: new Date(Date.now() - 60_000), deadlineAt: hours(20) };
    await createComment(ui.e2e.t.db, {
      ...at,
      accountId: page.id,
      platform: 'facebook',
      authorHandle: 'Sarah J',
      authorName: 'Sarah J',
      text: 'Drawn by the server',
    });
    const inbox = await ui.signedInPage(s.casey.email);
    const meta = async (text: string) => {
      const row = inbox.locator('.inbox .comment', { hasText: text });
      return [await row.locator('.account').textContent(), await row.locator('.author').textContent()];
    };
    expect(await meta('Drawn by the server')).toEqual(['Oakfield Primary School', 'Sarah J']);

    await createComment(ui.e2e.t.db, {
      ...at,
      accountId: page.id,
      platform: 'facebook',
      authorHandle: 'Sarah J',
      authorName: 'Sarah J',
      text: 'Arrived live on Facebook',
      processedAt: new Date(),
    });
    await createComment(ui.e2e.t.db, {
      ...at,
      accountId: channel.id,
      platform: 'youtube',
      authorHandle: 'dave',
      authorName: '@dave',
      text: 'Arrived live on YouTube',
      processedAt: new Date(),
    });
    await inbox.locator('.live-notice .live-show').waitFor({ state: 'visible', timeout: 20_000 });
    await expect
      .poll(async () => {
        await inbox
          .locator('.live-notice .live-show')
          .click({ timeout: 1_000 })
          .catch(() => undefined);
        return inbox.locator('.inbox .comment', { hasText: 'Arrived live on' }).count();
      })
      .toBe(2);
    expect(await meta('Arrived live on Facebook')).toEqual(['Oakfield Primary School', 'Sarah J']);
    expect(await meta('Arrived live on YouTube')).toEqual(['@oakfieldtube', '@dave']);
  });
});

describe('flags for an account admin', () => {
  it('shows the confirmation waiting for them first, flags most severe first, and one digest listing the comments', async () => {
    const s = await scene();
    const at = { schoolId: s.school.id, accountId: s.account.id };
    const low = await createComment(ui.e2e.t.db, {
      ...at,
      text: 'Rubbish school',
      categories: ['offensive'],
      labels: [label('offensive', 'profanity', 'low')],
    });
    const high = await createComment(ui.e2e.t.db, {
      ...at,
      text: '<img src=x onerror=alert(1)> I will hurt you',
      postedAt: new Date(Date.now() - 3_600_000),
      categories: ['offensive'],
      labels: [label('offensive', 'threat', 'high')],
    });
    const medium = await createComment(ui.e2e.t.db, {
      ...at,
      text: 'You are useless',
      categories: ['offensive'],
      labels: [label('offensive', 'insult', 'medium')],
    });
    await ui.e2e.t.db.insert(moderationActions).values({
      schoolId: s.school.id,
      accountId: s.account.id,
      commentId: medium.id,
      kind: 'delete',
      status: 'proposed',
      reasonCategory: 'abusive',
      reasonText: 'Abuse aimed at staff',
      proposedBy: s.bo.id,
      expiresAt: hours(24),
    });
    for (const c of [low, high, medium])
      await ui.e2e.t.db.transaction((tx) =>
        notifyFlagDigest(tx, {
          schoolId: s.school.id,
          userIds: [s.alex.id],
          commentId: c.id,
          onAccount: `@${s.account.handle} on X`,
          body: 'A comment was flagged.',
        }),
      );

    const page = await ui.signedInPage(s.alex.email);
    await page.goto(`${ui.e2e.baseUrl}/flags`);
    const headings = await page.locator('main h2').allTextContents();
    expect(headings[0]).toMatch(/^Awaiting a second admin/);
    expect(headings[1]).toMatch(/^Comments flagged offensive, most severe first/);
    expect(
      await page.locator('section[aria-labelledby=pending-h] button', { hasText: /confirm/i }).count(),
    ).toBeGreaterThan(0);
    expect(await page.locator('li.flagged .severity-badge').allTextContents()).toEqual([
      'High severity',
      'Medium severity',
      'Low severity',
    ]);
    await ui.checkA11y(page);
    await saveScreenshot(page, 'flags-ordered');

    await page.goto(`${ui.e2e.baseUrl}/notifications`);
    const flagged = page.locator('li.notification', { hasText: 'offensive comments flagged' });
    expect(await flagged.count()).toBe(1);
    expect(await flagged.locator('.notification-title').textContent()).toBe('3 offensive comments flagged');
    const items = await flagged.locator('.digest-items li .comment-text').allTextContents();
    expect(items.map((t) => t.replace(/[\u2066-\u2069]/g, ''))).toEqual([
      'Rubbish school',
      '<img src=x onerror=alert(1)> I will hurt you',
      'You are useless',
    ]);
    expect(await page.locator('.digest-items img').count()).toBe(0);
    await ui.checkA11y(page);
  });
});

describe('saved replies and the reply form', () => {
  it('comms adds a saved reply, uses it on a comment, and a refused reply lists its reason once with no override offered', async () => {
    const s = await scene();
    const comment = await createComment(ui.e2e.t.db, {
      schoolId: s.school.id,
      accountId: s.account.id,
      text: 'When is sports day?',
      deadlineAt: hours(5),
    });
    const page = await ui.signedInPage(s.casey.email);
    await page.goto(`${ui.e2e.baseUrl}/schools/${s.school.id}/saved-replies`);
    expect(
      await page
        .locator('input[name=title]')
        .evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value)),
    ).toContain('Thank you');
    await page.fill('#new-reply-title', 'Sports day');
    await page.fill('#new-reply-body', 'Sports day is on Friday the 12th; the letter home has the details.');
    await Promise.all([
      page.waitForLoadState('load'),
      page.click('section[aria-labelledby=add-h] button[type=submit]'),
    ]);
    expect(await page.locator('.flash').textContent()).toBe('Saved reply “Sports day” added.');
    await ui.checkA11y(page);

    await page.goto(`${ui.e2e.baseUrl}/comments/${comment.id}`);
    await page.selectOption('#reply-template', { label: 'Sports day' });
    expect(await page.inputValue('#reply-text')).toBe(
      'Sports day is on Friday the 12th; the letter home has the details.',
    );

    await page.selectOption('#reply-kind', 'private_reply');
    await page.fill('#reply-text', 'Email jo.bloggs@gmail.com for the details.');
    await Promise.all([page.waitForLoadState('load'), page.click('#compose button[type=submit]')]);
    const refusal = page.locator('#compose .form-error');
    expect(await refusal.locator('p').first().textContent()).toBe('This reply cannot be sent:');
    const text = (await page.locator('main').textContent()) ?? '';
    expect(text.split('Replies must not publish personal data').length - 1).toBe(1);
    expect(await page.locator('#override-reason').count()).toBe(0);
  });
});
