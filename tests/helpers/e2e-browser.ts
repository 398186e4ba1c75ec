/// <reference lib="dom" />
import { createRequire } from 'node:module';
import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { launchBrowser, signInInBrowser } from './browser.js';
import { E2E_PASSWORD, type E2eApp, startE2eApp } from './e2e-app.js';

const axeSource: string = createRequire(import.meta.url)('axe-core').source;

/** An accessibility problem axe-core found on a page a test visited. */
export interface AxeFinding {
  url: string;
  rule: string;
  impact: string;
  help: string;
  targets: string[];
}

/** What a test's pages did that no page may do: serious axe findings, requests to other hosts. */
export interface PageWatch {
  axe: AxeFinding[];
  outsideRequests: string[];
  /** Pages checked by axe (path and query), in order. */
  checked: string[];
}

export interface E2eBrowser {
  /** The running app (database, API, optional sandbox and workers). Set in beforeAll. */
  readonly e2e: E2eApp;
  readonly browser: Browser;
  /** What the pages of the current test met; checked (must be empty) after each test. */
  readonly watch: PageWatch;
  /** A fresh browser context and page, watched: axe on every page load, no request off the app's host. */
  newPage(options?: BrowserContextOptions): Promise<Page>;
  /** A fresh watched page, signed in through the real form (E2E_PASSWORD unless given). */
  signedInPage(email: string, options?: BrowserContextOptions & { password?: string }): Promise<Page>;
  /** Runs axe now on this page (besides the check at every load); findings go to `watch.axe`. */
  checkA11y(page: Page): Promise<void>;
}

const SERIOUS = new Set(['serious', 'critical']);

/**
 * Developer tools the app mounts but does not render: Swagger UI (/docs) and Bull Board
 * (/admin/queues). Their pages are still watched for outside requests; axe findings in their
 * vendored markup are not ours to fix, so they are not checked.
 */
export const THIRD_PARTY_UIS = ['/docs', '/admin/queues'];

/**
 * The set-up every browser test shares: the real app (startE2eApp), Debian's Chromium, and per
 * test a watch on every page it opens. After each test the watch must be clean: no serious or
 * critical axe-core violation on any page loaded, and no request to a host other than the app's
 * (the product works offline). `allowHosts` adds hosts a test means to reach (the sandbox X).
 */
export function useE2eBrowser(
  options: {
    sandbox?: boolean;
    workers?: boolean;
    /** Facebook and Instagram on, against the sandbox's Meta Graph API */
    meta?: boolean;
    allowHosts?: () => string[];
    /** Environment for the app's config, read when it starts (after earlier beforeAll hooks). */
    configOverrides?: () => Record<string, string>;
  } = {},
): E2eBrowser {
  let e2e: E2eApp | undefined;
  let browser: Browser | undefined;
  let contexts: BrowserContext[] = [];
  const watch: PageWatch = { axe: [], outsideRequests: [], checked: [] };

  beforeAll(async () => {
    e2e = await startE2eApp({
      ...(options.sandbox ? { sandbox: true } : {}),
      ...(options.workers ? { workers: true } : {}),
      ...(options.meta ? { meta: true } : {}),
      ...(options.configOverrides ? { configOverrides: options.configOverrides() } : {}),
    });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await e2e?.close();
  });
  afterEach(async () => {
    // The page a test ends on is checked too, even if the test did not wait for its load.
    for (const context of contexts) for (const page of context.pages()) await checkA11y(page);
    await Promise.all(contexts.map((c) => c.close().catch(() => undefined)));
    contexts = [];
    const { axe, outsideRequests } = watch;
    watch.axe = [];
    watch.outsideRequests = [];
    watch.checked = [];
    expect(outsideRequests, 'requests to a host other than the app').toEqual([]);
    expect(
      axe.map((f) => `${f.impact} ${f.rule} on ${f.url}: ${f.help} (${f.targets.join(', ')})`),
      'serious or critical accessibility violations (axe-core)',
    ).toEqual([]);
  });

  const seen = new WeakMap<Page, Set<string>>();

  // One axe run at a time per page (axe refuses to run twice at once).
  const running = new WeakMap<Page, Promise<void>>();
  function checkA11y(page: Page): Promise<void> {
    const next = (running.get(page) ?? Promise.resolve()).then(() => runAxe(page));
    running.set(
      page,
      next.catch(() => undefined),
    );
    return next;
  }

  async function runAxe(page: Page): Promise<void> {
    if (page.isClosed()) return;
    const url = page.url();
    if (!url.startsWith('http')) return;
    const host = new URL(url).host;
    if (e2e && host !== new URL(e2e.baseUrl).host) return; // another site's page (the sandbox's)
    const pathname = new URL(url).pathname;
    if (THIRD_PARTY_UIS.some((prefix) => pathname === prefix || pathname.startsWith(`${prefix}/`))) return;
    try {
      const found = await page.evaluate(async () => {
        const axe = (window as unknown as { axe?: { run: (...a: unknown[]) => Promise<unknown> } }).axe;
        if (!axe) return null;
        const result = (await axe.run(document, { resultTypes: ['violations'] })) as {
          violations: { id: string; impact: string | null; help: string; nodes: { target: unknown[] }[] }[];
        };
        return result.violations.map((v) => ({
          rule: v.id,
          impact: v.impact ?? '',
          help: v.help,
          targets: v.nodes.slice(0, 5).map((n) => n.target.join(' ')),
        }));
      });
      if (!found) return;
      const path = new URL(url).pathname + new URL(url).search;
      watch.checked.push(path);
      const already = seen.get(page) ?? new Set<string>();
      seen.set(page, already);
      for (const f of found) {
        if (!SERIOUS.has(f.impact)) continue;
        const key = `${path} ${f.rule}`;
        if (already.has(key)) continue;
        already.add(key);
        watch.axe.push({ url: path, ...f });
      }
    } catch (error) {
      // The page moved on while axe ran: the next load is checked instead.
      if (
        /Execution context was destroyed|Target page, context or browser has been closed|navigat/i.test(
          String(error),
        )
      )
        return;
      throw error;
    }
  }

  async function newPage(contextOptions: BrowserContextOptions = {}): Promise<Page> {
    if (!browser || !e2e) throw new Error('useE2eBrowser: newPage before beforeAll');
    const context = await browser.newContext(contextOptions);
    contexts.push(context);
    await context.addInitScript({ content: axeSource });
    const appHost = new URL(e2e.baseUrl).host;
    context.on('request', (request) => {
      const url = request.url();
      if (!/^https?:/.test(url)) return;
      const host = new URL(url).host;
      if (host === appHost || (options.allowHosts?.() ?? []).includes(host)) return;
      watch.outsideRequests.push(url);
    });
    const page = await context.newPage();
    page.on('load', () => {
      void checkA11y(page).catch((error) =>
        watch.axe.push({
          url: page.url(),
          rule: 'axe-error',
          impact: 'critical',
          help: String(error),
          targets: [],
        }),
      );
    });
    return page;
  }

  return {
    get e2e() {
      if (!e2e) throw new Error('useE2eBrowser: the app starts in beforeAll');
      return e2e;
    },
    get browser() {
      if (!browser) throw new Error('useE2eBrowser: the browser starts in beforeAll');
      return browser;
    },
    watch,
    newPage,
    async signedInPage(email, { password = E2E_PASSWORD, ...contextOptions } = {}) {
      const page = await newPage(contextOptions);
      await signInInBrowser(page, e2e!.baseUrl, email, password);
      return page;
    },
    checkA11y,
  };
}
