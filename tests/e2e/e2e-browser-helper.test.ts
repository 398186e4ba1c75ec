import { describe, expect, it } from 'vitest';
import { useE2eBrowser } from '../helpers/e2e-browser.js';

const ui = useE2eBrowser();

/**
 * The watch itself: a page with a critical accessibility fault and a request to another host is
 * caught. The findings are read and then cleared here, so this test's own after-check passes.
 */
describe('useE2eBrowser', () => {
  it('runs axe-core on every page loaded and records serious findings and outside requests', async () => {
    const page = await ui.newPage();
    await page.route('http://outside.test/**', (route) => route.fulfill({ status: 204, body: '' }));
    await page.route(`${ui.e2e.baseUrl}/axe-probe`, (route) =>
      route.fulfill({
        contentType: 'text/html',
        body: '<!doctype html><html lang="en"><head><title>probe</title></head><body><main><h1>Probe</h1><button></button><img src="http://outside.test/pixel.png"></main></body></html>',
      }),
    );
    await page.goto(`${ui.e2e.baseUrl}/axe-probe`);
    await ui.checkA11y(page);
    expect(ui.watch.checked).toContain('/axe-probe');
    expect(ui.watch.axe.map((f) => f.rule)).toEqual(expect.arrayContaining(['button-name', 'image-alt']));
    expect(ui.watch.outsideRequests).toEqual(['http://outside.test/pixel.png']);
    ui.watch.axe.length = 0;
    ui.watch.outsideRequests.length = 0;

    await page.goto(`${ui.e2e.baseUrl}/login`);
    await ui.checkA11y(page);
    expect(ui.watch.checked).toContain('/login');
  });
});
