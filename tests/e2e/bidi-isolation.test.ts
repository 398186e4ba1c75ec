/// <reference lib="dom" />
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { moderationActions, responses } from '../../db/schema/index.js';
import { SchoolClassifierCache } from '../../services/classification/school-classifier-cache.js';
import { systemContext } from '../../services/core/service-context.js';
import { processComment } from '../../services/ingestion/process-comment.js';
import { createProcessingSteps } from '../../workers/processing-steps.js';
import { saveScreenshot, signInInBrowser } from '../helpers/browser.js';
import { createPasswordUser, E2E_PASSWORD, type E2eApp } from '../helpers/e2e-app.js';
import { useE2eBrowser } from '../helpers/e2e-browser.js';
import { createAccount, createComment, createSchool, createUser } from '../helpers/factories.js';

/**
 * A display name with a right-to-left override used to turn the author's line round ("Eve
 * (@eve)" shown as ")eve@( evE"), and a stray U+2069 could close an isolate early. In Chromium,
 * on every page that shows a hostile comment: each override sits inside an isolating element,
 * and the static text around each isolate is drawn in reading order, left to right.
 */

const NAME = 'Eve \u202Eevol htiw\u202C Mallory';
const HANDLE = 'eve\u2069\u202Ednah';
const TEXT = 'you idiot \u202Ekcab sdrawkcab I am scared to go home \u2066ltr\u202D end';
const strip = (s: string) => s.replace(/[\u202A-\u202E\u2066-\u2069]/g, '');

/** The app, Chromium, and a watch on every page: axe-core and no request off the app's host. */
const ui = useE2eBrowser();
let e2e: E2eApp;

beforeAll(() => {
  e2e = ui.e2e;
});

interface Layout {
  /** Text with a bidi control that no `<bdi>` or `[dir]` element holds. */
  loose: string[];
  /** Neighbours beside an isolate drawn right to left on one line: "left piece | right piece". */
  disordered: string[];
  /** How many isolates hold a bidi control. */
  isolates: number;
}

/** Where the page draws its public text (see Layout). */
function layoutOf(page: Page, scope = 'body'): Promise<Layout> {
  return page.evaluate((sel) => {
    const BIDI = /[\u202A-\u202E\u2066-\u2069]/;
    const bare = (s: string | null) => (s ?? '').replace(/[\u202A-\u202E\u2066-\u2069]/g, '').trim();
    const root = document.querySelector(sel) ?? document.body;
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    const loose: string[] = [];
    const isolates = new Set<Element>();
    for (let n = walker.nextNode() as Text | null; n; n = walker.nextNode() as Text | null) {
      if (!BIDI.test(n.data)) continue;
      const isolate = n.parentElement?.closest('bdi, [dir]');
      if (isolate) isolates.add(isolate);
      else loose.push(n.data);
    }
    const disordered: string[] = [];
    for (const isolate of isolates) {
      // A piece may wrap: its first line box meets the piece before it, its last the piece after.
      const pieces: { text: string; first: DOMRect; last: DOMRect }[] = [];
      for (const child of isolate.parentElement?.childNodes ?? []) {
        let rects: DOMRect[];
        if (child instanceof Text) {
          if (!child.data.trim()) continue;
          const range = document.createRange();
          range.selectNodeContents(child);
          rects = [...range.getClientRects()];
        } else if (child instanceof Element) rects = [...child.getClientRects()];
        else continue;
        rects = rects.filter((r) => r.width > 0);
        if (rects.length)
          pieces.push({ text: bare(child.textContent), first: rects[0]!, last: rects.at(-1)! });
      }
      for (let i = 1; i < pieces.length; i++) {
        const [a, b] = [pieces[i - 1]!.last, pieces[i]!.first];
        const oneLine = Math.abs(a.top - b.top) < 2;
        if (oneLine && b.left < a.right - 0.5) disordered.push(`${pieces[i - 1]!.text} | ${pieces[i]!.text}`);
      }
    }
    return { loose, disordered, isolates: isolates.size };
  }, scope);
}

/** The author lines in `selector`: the name and handle each in an isolate, and the "(@" between them. */
async function authorLines(page: Page, selector: string) {
  return page.$$eval(selector, (els) =>
    els.map((el) => {
      const parts = [...el.querySelectorAll('bdi')];
      const rects = parts.map((b) => b.getBoundingClientRect());
      const between = [...el.childNodes].find((c) => c instanceof Text && c.data.includes('(@'));
      const range = document.createRange();
      if (between) range.selectNodeContents(between);
      const mid = between ? range.getBoundingClientRect() : null;
      return {
        parts: parts.map((b) => (b.textContent ?? '').replace(/[\u202A-\u202E\u2066-\u2069]/g, '')),
        inOrder:
          rects.length === 2 && mid !== null
            ? rects[0]!.right <= mid.left + 0.5 && mid.right <= rects[1]!.left + 0.5
            : false,
      };
    }),
  );
}

describe('direction overrides in public text', () => {
  it('stay inside their own isolate on every page, also in a row that arrives live', async () => {
    const school = await createSchool(e2e.t.db, { name: 'Oakfield Primary' });
    const viewer = await createPasswordUser(e2e, {
      trustId: school.trustId,
      email: 'everyone@oakfield.test',
      displayName: 'Sam Everyone',
      roles: (['comms', 'senior_leader', 'safeguarding_lead', 'auditor', 'trust_admin'] as const).map(
        (role) => ({ schoolId: school.id, role }),
      ),
    });
    const second = await createUser(e2e.t.db, {
      trustId: school.trustId,
      roles: [{ schoolId: school.id, role: 'comms' }],
    });
    const account = await createAccount(e2e.t.db, {
      schoolId: school.id,
      handle: 'oakfield',
      adminIds: [viewer.id, second.id],
    });
    const comment = await createComment(e2e.t.db, {
      schoolId: school.id,
      accountId: account.id,
      authorName: NAME,
      authorHandle: HANDLE,
      text: TEXT,
    });
    await processComment(systemContext(e2e.t.db, 'e2e processing'), { commentId: comment.id }, [
      ...createProcessingSteps({ classifiers: new SchoolClassifierCache(e2e.config.encryptionKey) }),
    ]);
    await e2e.t.db.insert(moderationActions).values({
      schoolId: school.id,
      accountId: account.id,
      commentId: comment.id,
      kind: 'delete',
      status: 'proposed',
      reasonCategory: 'abusive',
      reasonText: 'Abuse aimed at staff',
      proposedBy: second.id,
      expiresAt: new Date(Date.now() + 86_400_000),
    });
    await e2e.t.db.insert(responses).values({
      schoolId: school.id,
      commentId: comment.id,
      kind: 'public_reply',
      status: 'pending_approval',
      text: 'Thank you, the head will be in touch.',
      actorId: second.id,
    });

    const page = await ui.newPage({ viewport: { width: 1600, height: 1000 } });
    await signInInBrowser(page, e2e.baseUrl, viewer.email, E2E_PASSWORD);

    const pages = ['/', `/comments/${comment.id}`, '/flags', '/safeguarding', '/approvals', '/audit'];
    for (const path of pages) {
      if (path !== '/') await page.goto(`${e2e.baseUrl}${path}`);
      const layout = await layoutOf(page);
      expect(layout.loose, path).toEqual([]);
      expect(layout.disordered, path).toEqual([]);
      expect(layout.isolates, path).toBeGreaterThan(0);
    }
    await page.goto(`${e2e.baseUrl}/`);
    expect(await authorLines(page, '.inbox .author')).toEqual([
      { parts: [strip(NAME), strip(HANDLE)], inOrder: true },
    ]);
    await page.goto(`${e2e.baseUrl}/comments/${comment.id}`);
    expect(await authorLines(page, '.comment-meta .author')).toEqual([
      { parts: [strip(NAME), strip(HANDLE)], inOrder: true },
    ]);
    await saveScreenshot(page, 'comment-bidi');

    // A hostile comment processed while the inbox is open is built by the page's script.
    await page.goto(`${e2e.baseUrl}/`);
    await createComment(e2e.t.db, {
      schoolId: school.id,
      accountId: account.id,
      authorName: NAME,
      authorHandle: HANDLE,
      text: TEXT,
      deadlineAt: new Date(Date.now() + 60_000),
      processedAt: new Date(),
    });
    await page.locator('.live-notice .live-show').waitFor({ state: 'visible', timeout: 20_000 });
    await page.click('.live-notice .live-show');
    expect(await authorLines(page, '.inbox .live-new .author')).toEqual([
      { parts: [strip(NAME), strip(HANDLE)], inOrder: true },
    ]);
    const live = await layoutOf(page, '.inbox .live-new');
    expect(live.loose).toEqual([]);
    expect(live.disordered).toEqual([]);
    expect(live.isolates).toBe(3);
    await saveScreenshot(page, 'inbox-bidi');
    await page.context().close();
  });
});
