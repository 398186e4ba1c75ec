/// <reference lib="dom" />
import { eq } from 'drizzle-orm';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifierCorrections, notifications } from '../../db/schema/index.js';
import { launchBrowser, saveScreenshot, signInInBrowser } from '../helpers/browser.js';
import { createPasswordUser, E2E_PASSWORD, type E2eApp, startE2eApp } from '../helpers/e2e-app.js';
import { createAccount, createComment, createSchool } from '../helpers/factories.js';

let e2e: E2eApp;
let browser: Browser;

beforeAll(async () => {
  e2e = await startE2eApp();
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await e2e?.close();
});

async function signedInPage(email: string): Promise<Page> {
  const context = await browser.newContext({ acceptDownloads: true });
  const page = await context.newPage();
  await signInInBrowser(page, e2e.baseUrl, email, E2E_PASSWORD);
  return page;
}

const DISCLOSURE = 'i have not eaten properly for days, please dont tell my mum i said';

describe('staff teach the classifier in the browser', () => {
  it('comms flags a missed disclosure, the lead sees it at once, a trust admin keeps it as a training example', async () => {
    const school = await createSchool(e2e.t.db, { name: 'Brookside Academy' });
    const person = (
      email: string,
      displayName: string,
      role: 'comms' | 'safeguarding_lead' | 'trust_admin',
    ) =>
      createPasswordUser(e2e, {
        trustId: school.trustId,
        email,
        displayName,
        roles: [{ schoolId: school.id, role }],
      });
    const casey = await person('casey@brookside.test', 'Casey Comms', 'comms');
    const dana = await person('dana@brookside.test', 'Dana Lead', 'safeguarding_lead');
    const tara = await person('tara@brookside.test', 'Tara Trust', 'trust_admin');
    const account = await createAccount(e2e.t.db, { schoolId: school.id, handle: 'brookside_news' });
    const comment = await createComment(e2e.t.db, {
      schoolId: school.id,
      accountId: account.id,
      authorHandle: 'pupil_account',
      text: DISCLOSURE,
      processedAt: new Date(),
      classifierVersion: 'test-1',
      deadlineAt: new Date(Date.now() + 6 * 3_600_000),
    });

    // Casey opens the comment: the classifier gave it no label.
    const c = await signedInPage(casey.email);
    await c.goto(`${e2e.baseUrl}/comments/${comment.id}`);
    expect(await c.locator('.why-flagged').count()).toBe(0);
    await c.selectOption('#flag-category', 'safeguarding');
    await c.fill('#flag-note', 'Sounds like neglect at home');
    await Promise.all([c.waitForURL(/done=flagged_safeguarding/), c.click('#flag-this button[type=submit]')]);
    expect(await c.locator('.flash-ok').textContent()).toContain('the safeguarding leads have been told now');
    expect(await c.locator('.why-flagged li').textContent()).toMatch(
      /safeguarding: staff flag · high severity · rule staff/,
    );
    await saveScreenshot(c, 'teach-flagged');

    // Dana, the safeguarding lead, has it on her Safeguarding page and an urgent notification.
    const d = await signedInPage(dana.email);
    await d.goto(`${e2e.baseUrl}/safeguarding`);
    const escalation = d.locator('li.escalation', { has: d.locator(`a[href="/comments/${comment.id}"]`) });
    expect(await escalation.count()).toBe(1);
    expect(await escalation.locator('.reason').textContent()).toContain('Safeguarding concern: staff flag');
    const [note] = await e2e.t.db.select().from(notifications).where(eq(notifications.userId, dana.id));
    expect(note).toMatchObject({ event: 'escalation.safeguarding', urgency: 'urgent' });

    // Tara, trust admin, reviews it from the Corrections screen and keeps it as a training example.
    const t = await signedInPage(tara.email);
    await t.goto(`${e2e.baseUrl}/`);
    await Promise.all([t.waitForURL(/\/corrections$/), t.click('nav.site-nav a[href="/corrections"]')]);
    const card = t.locator('li.correction');
    expect(await card.count()).toBe(1);
    expect(await card.locator('.comment-text').textContent()).toBe(DISCLOSURE);
    expect(await card.locator('.meta').textContent()).toContain('Missed: safeguarding');
    expect(await card.locator('.note').textContent()).toContain('Sounds like neglect at home');
    await saveScreenshot(t, 'teach-review-list');
    await Promise.all([
      t.waitForURL(/\/corrections\?schoolId=/),
      card.getByRole('button', { name: 'Keep as a training example' }).click(),
    ]);
    expect(await t.locator('.flash-ok').textContent()).toContain('Kept as a training example');
    expect(await t.locator('li.correction').count()).toBe(0);
    await t.selectOption('select[name=status]', 'reviewed');
    await Promise.all([t.waitForURL(/status=reviewed/), t.click('form.filters button[type=submit]')]);
    expect(await t.locator('li.correction .review-outcome').textContent()).toMatch(
      /kept as a training example by Tara Trust.*expect: safeguarding/,
    );

    const [download] = await Promise.all([
      t.waitForEvent('download'),
      t.click('a[download="staff-corrections.jsonl"]'),
    ]);
    const path = await download.path();
    const { readFile } = await import('node:fs/promises');
    const lines = (await readFile(path, 'utf8')).trim().split('\n');
    const [correction] = await e2e.t.db.select().from(classifierCorrections);
    expect(lines.map((l) => JSON.parse(l))).toEqual([
      {
        id: `staff-${correction!.id}`,
        text: DISCLOSURE,
        expect: ['safeguarding'],
        kind: 'safeguarding',
        subkind: 'staff_correction',
      },
    ]);
  });
});
