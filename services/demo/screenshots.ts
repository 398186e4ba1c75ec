import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { chromium, type Page } from 'playwright-core';

/**
 * `npm run screenshots`: a PNG of every screen each demo person can see, in docs/screenshots/
 * (SCREENSHOTS_DIR). Uses the demo at DEMO_URL if one answers there (default
 * http://127.0.0.1:3000, as `npm run demo` starts it); otherwise starts `npm run demo` itself, with
 * the same environment, waits for it, and stops it at the end. Chromium: CHROMIUM_PATH or Debian's.
 *
 * It lives beside the demo (services/demo/) because it drives the demo's own people, password
 * (.demo/secrets.json) and traffic; it is a tool, not a test.
 */
const baseUrl = (process.env.DEMO_URL ?? process.env.PUBLIC_URL ?? 'http://127.0.0.1:3000').replace(
  /\/$/,
  '',
);
const outDir = process.env.SCREENSHOTS_DIR ?? 'docs/screenshots';
const PEOPLE = ['comms', 'admin1', 'admin2', 'head', 'dsl', 'auditor', 'trustadmin'] as const;

async function answers(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2_000) });
    return res.ok;
  } catch {
    return false;
  }
}

async function startDemo(): Promise<ChildProcess> {
  process.stdout.write(`No demo at ${baseUrl}: starting npm run demo…\n`);
  // One process (node with tsx's loader), so stopping it stops the whole demo.
  const child = spawn(process.execPath, ['--import', 'tsx', 'services/demo/run-demo.ts'], {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, PUBLIC_URL: baseUrl, PORT: new URL(baseUrl).port || '3000' },
  });
  for (let i = 0; i < 120; i++) {
    if (child.exitCode !== null) throw new Error(`npm run demo stopped (exit ${child.exitCode})`);
    if (await answers(baseUrl)) return child;
    await new Promise((r) => setTimeout(r, 1_000));
  }
  child.kill('SIGTERM');
  throw new Error(`The demo did not answer at ${baseUrl} within two minutes`);
}

/** A file name piece from a path: `/schools/…/settings` → `settings`. */
function screenName(path: string): string {
  if (path === '/') return 'inbox';
  const parts = path.split('/').filter(Boolean);
  if (parts[0] === 'comments') return 'comment';
  if (parts[0] === 'accounts' && parts[1]) return 'account';
  if (parts[0] === 'schools') return `school-${parts[2] ?? 'settings'}`;
  return parts.join('-');
}

async function shoot(page: Page, person: string, path: string): Promise<string> {
  await page.goto(`${baseUrl}${path}`, { waitUntil: 'load' });
  // Let the live inbox and charts settle.
  await page.waitForTimeout(500);
  const file = `${outDir}/${person}-${screenName(new URL(page.url()).pathname)}.png`;
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

async function main() {
  const secretsFile = '.demo/secrets.json';
  const demo = (await answers(baseUrl)) ? null : await startDemo();
  try {
    if (!existsSync(secretsFile)) throw new Error(`${secretsFile} is missing: run npm run demo once first`);
    const password = (JSON.parse(readFileSync(secretsFile, 'utf8')) as { DEMO_PASSWORD: string })
      .DEMO_PASSWORD;
    mkdirSync(outDir, { recursive: true });
    const browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    const written: string[] = [];
    try {
      for (const person of PEOPLE) {
        const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
        const page = await context.newPage();
        await page.goto(`${baseUrl}/login`);
        await page.fill('#email', `${person}@oakfield.demo`);
        await page.fill('#password', password);
        await Promise.all([
          page.waitForURL((u) => u.pathname !== '/login'),
          page.click('main.sign-in button'),
        ]);
        // Every section in this person's navigation, then the first comment and the notifications.
        const links = await page
          .locator('nav.site-nav a')
          .evaluateAll((as) => as.map((a) => (a as HTMLAnchorElement).getAttribute('href') ?? '/'));
        const comment = await page
          .locator('a.open-comment')
          .first()
          .getAttribute('href')
          .catch(() => null);
        const paths = [...new Set([...links, ...(comment ? [comment] : []), '/notifications'])];
        for (const path of paths) written.push(await shoot(page, person, path));
        await context.close();
      }
    } finally {
      await browser.close();
    }
    process.stdout.write(
      `${written.length} screenshots in ${outDir}/:\n${written.map((f) => `  ${f}`).join('\n')}\n`,
    );
  } finally {
    demo?.kill('SIGTERM');
  }
}

await main();
