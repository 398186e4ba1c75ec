import { mkdirSync } from 'node:fs';
import { type Browser, chromium, type Page } from 'playwright-core';
import { chromiumPath } from './ensure-chromium.js';

/** Debian's chromium, headless, with nothing phoning home: the browser every e2e test drives. */
export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-quic',
      '--no-first-run',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** Signs in through the real form; resolves once the inbox has loaded. */
export async function signInInBrowser(page: Page, baseUrl: string, email: string, password: string) {
  await page.goto(`${baseUrl}/login`);
  await page.fill('#email', email);
  await page.fill('#password', password);
  await Promise.all([
    page.waitForURL((url) => url.pathname !== '/login'),
    page.click('main.sign-in button[type=submit]'),
  ]);
  if (new URL(page.url()).pathname !== '/') {
    const why = await page
      .locator('.error')
      .textContent()
      .catch(() => null);
    throw new Error(`Sign-in as ${email} failed: ${why ?? page.url()}`);
  }
}

export const SCREENSHOT_DIR = 'test-results/screenshots';

/** Saves a full-page screenshot under test-results/screenshots/ (gitignored). */
export async function saveScreenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = `${SCREENSHOT_DIR}/${name}.png`;
  await page.screenshot({ path, fullPage: true });
  return path;
}

/**
 * The selects under `scope` whose chosen option's text does not fit in the box (cut off at its
 * edge), by name: what a person would see as "Anyone or nobod". The select's padding and arrow
 * take about 2rem.
 */
export async function selectsCutOff(page: Page, scope: string): Promise<string[]> {
  return page.locator(`${scope} select`).evaluateAll((selects) =>
    (selects as HTMLSelectElement[])
      .filter((select) => {
        const probe = document.createElement('span');
        probe.style.font = getComputedStyle(select).font;
        probe.style.whiteSpace = 'pre';
        probe.textContent = select.selectedOptions[0]?.text ?? '';
        document.body.append(probe);
        const text = probe.getBoundingClientRect().width;
        probe.remove();
        return text > select.clientWidth - 32;
      })
      .map((select) => select.name),
  );
}
