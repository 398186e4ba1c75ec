/// <reference lib="dom" />
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { saveScreenshot, signInInBrowser } from '../helpers/browser.js';
import { createPasswordUser, E2E_PASSWORD, type E2eApp } from '../helpers/e2e-app.js';
import { useE2eBrowser } from '../helpers/e2e-browser.js';
import { createAccount, createComment, createSchool } from '../helpers/factories.js';

/** Each payload, if it ran, would open a dialog or set window.__pwned. */
const PAYLOADS = [
  '<script>alert(1)</script>',
  '<script>window.__pwned=1</script>',
  '<img src=x onerror="window.__pwned=1;alert(1)">',
  '<a href="javascript:alert(1)">click me</a>',
  '<svg onload=alert(1)><circle r=5></circle></svg>',
  '<svg><script>window.__pwned=1</script></svg>',
  '"><img src=x onerror=alert(1)>',
  "'><script>alert(1)</script>",
  '<iframe src="javascript:alert(1)"></iframe>',
  '<body onload=alert(1)>',
  '<div style="background:url(javascript:alert(1))">styled</div>',
  '</p></li></ol><script>alert(1)</script>',
  '<b>broken <i>markup',
  '\u202Egnp.exe — RTL override',
  '{{constructor.constructor("alert(1)")()}}',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a template-literal payload, on purpose
  '${alert(1)}',
  '<details open ontoggle=alert(1)>',
  '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>',
];

/** The app, Chromium, and a watch on every page: axe-core and no request off the app's host. */
const ui = useE2eBrowser();
let e2e: E2eApp;

beforeAll(() => {
  e2e = ui.e2e;
});

async function watch(page: Page) {
  const dialogs: string[] = [];
  const errors: string[] = [];
  page.on('dialog', async (d) => {
    dialogs.push(d.message());
    await d.dismiss();
  });
  page.on('pageerror', (err) => errors.push(err.message));
  return { dialogs, errors };
}

async function expectInert(page: Page, selector: string, seen: { dialogs: string[] }) {
  expect(seen.dialogs).toEqual([]);
  expect(await page.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned)).toBeUndefined();
  const injected = await page.evaluate(
    (sel) =>
      [...document.querySelectorAll(sel)].flatMap((el) =>
        [...el.querySelectorAll('script, img, svg, iframe, a, details, math, style, b, i, div, body')].map(
          (x) => x.tagName,
        ),
      ),
    selector,
  );
  expect(injected).toEqual([]);
}

describe('hostile comments', () => {
  it('never execute and display as text, in the inbox (also when they arrive live) and on the comment page', async () => {
    const school = await createSchool(e2e.t.db, { name: 'Oakfield Primary' });
    const user = await createPasswordUser(e2e, {
      trustId: school.trustId,
      email: 'comms@oakfield.test',
      roles: [{ schoolId: school.id, role: 'comms' }],
    });
    const account = await createAccount(e2e.t.db, { schoolId: school.id, handle: 'oakfield' });
    const stored = [];
    for (const [i, text] of PAYLOADS.entries()) {
      stored.push(
        await createComment(e2e.t.db, {
          schoolId: school.id,
          accountId: account.id,
          authorName: '<img src=x onerror=alert(2)>',
          authorHandle: '"><svg onload=alert(3)>',
          text,
          url: 'javascript:alert(4)',
          deadlineAt: new Date(Date.now() + (i + 1) * 60_000),
          processedAt: new Date(Date.now() - 60_000),
        }),
      );
    }

    const page = await ui.newPage();
    const seen = await watch(page);
    await signInInBrowser(page, e2e.baseUrl, user.email, E2E_PASSWORD);
    const texts = await page.locator('.inbox .comment-text').allTextContents();
    expect(texts).toEqual(PAYLOADS);
    expect(await page.locator('.inbox a.platform-link').count()).toBe(0);
    await expectInert(page, '.inbox .comment-text, .inbox .author, .inbox .account', seen);
    await saveScreenshot(page, 'inbox-hostile');

    // A hostile comment processed while the inbox is open arrives over server-sent events.
    const live = '<img src=x onerror="window.__pwned=1">live <script>alert(5)</script>';
    await createComment(e2e.t.db, {
      schoolId: school.id,
      accountId: account.id,
      text: live,
      authorName: '<b>bold</b>',
      deadlineAt: new Date(Date.now() + 3_600_000),
      processedAt: new Date(),
    });
    await page.locator('.live-notice .live-show').waitFor({ state: 'visible', timeout: 20_000 });
    expect(await page.locator('.live-notice .live-count').textContent()).toBe('1 new comment');
    await page.click('.live-notice .live-show');
    // The live row sits where the inbox's order puts it (not always on top): find it by its class.
    expect(await page.locator('.inbox .live-new .comment-text').textContent()).toBe(live);
    expect(await page.locator('.inbox .live-new .author').textContent()).toBe(
      '<b>bold</b> (@parent_of_three)',
    );
    await expectInert(page, '.inbox .comment-text, .inbox .author, .inbox .account', seen);

    for (const comment of stored.slice(0, 6)) {
      await page.goto(`${e2e.baseUrl}/comments/${comment.id}`);
      expect(await page.locator('#comment-text').textContent()).toBe(comment.text);
      await expectInert(page, '#comment-text, .mini-comments .comment-text, .comment-meta .author', seen);
    }
    expect(seen.errors).toEqual([]);
    await page.context().close();
  });

  it('other schools’ comments never arrive on the live stream', async () => {
    const school = await createSchool(e2e.t.db);
    const other = await createSchool(e2e.t.db, { trustId: school.trustId });
    const user = await createPasswordUser(e2e, {
      trustId: school.trustId,
      email: 'comms2@oakfield.test',
      roles: [{ schoolId: school.id, role: 'comms' }],
    });
    const mine = await createAccount(e2e.t.db, { schoolId: school.id });
    const theirs = await createAccount(e2e.t.db, { schoolId: other.id });
    const page = await ui.newPage();
    await signInInBrowser(page, e2e.baseUrl, user.email, E2E_PASSWORD);
    await page.waitForTimeout(500);
    await createComment(e2e.t.db, {
      schoolId: other.id,
      accountId: theirs.id,
      text: 'Another school’s comment',
      processedAt: new Date(),
    });
    await createComment(e2e.t.db, {
      schoolId: school.id,
      accountId: mine.id,
      text: 'Ours',
      processedAt: new Date(),
    });
    await page.locator('.live-notice .live-show').waitFor({ state: 'visible', timeout: 20_000 });
    await page.click('.live-notice .live-show');
    expect(await page.locator('.inbox .comment-text').allTextContents()).toEqual(['Ours']);
    await page.context().close();
  });
});
