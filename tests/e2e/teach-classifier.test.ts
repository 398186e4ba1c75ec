/// <reference lib="dom" />

import { readFile } from 'node:fs/promises';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { classifierCorrections, notifications } from '../../db/schema/index.js';
import { saveScreenshot } from '../helpers/browser.js';
import { createPasswordUser } from '../helpers/e2e-app.js';
import { useE2eBrowser } from '../helpers/e2e-browser.js';
import { createAccount, createComment, createSchool } from '../helpers/factories.js';

// Every page loaded is checked with axe-core, and no request may leave the app's host.
const ui = useE2eBrowser();

const DISCLOSURE = 'i have not eaten properly for days, please dont tell my mum i said';

describe('staff teach the classifier in the browser', () => {
  it('comms flags a missed disclosure, the lead sees it at once, a trust admin keeps it as a training example', async () => {
    const school = await createSchool(ui.e2e.t.db, { name: 'Brookside Academy' });
    const person = (
      email: string,
      displayName: string,
      role: 'comms' | 'safeguarding_lead' | 'trust_admin',
    ) =>
      createPasswordUser(ui.e2e, {
        trustId: school.trustId,
        email,
        displayName,
        roles: [{ schoolId: school.id, role }],
      });
    const casey = await person('casey@brookside.test', 'Casey Comms', 'comms');
    const dana = await person('dana@brookside.test', 'Dana Lead', 'safeguarding_lead');
    const tara = await person('tara@brookside.test', 'Tara Trust', 'trust_admin');
    const account = await createAccount(ui.e2e.t.db, { schoolId: school.id, handle: 'brookside_news' });
    const comment = await createComment(ui.e2e.t.db, {
      schoolId: school.id,
      accountId: account.id,
      authorHandle: 'pupil_account',
      text: DISCLOSURE,
      processedAt: new Date(),
      classifierVersion: 'test-1',
      deadlineAt: new Date(Date.now() + 6 * 3_600_000),
    });

    // Casey opens the comment: the classifier gave it no label.
    const c = await ui.signedInPage(casey.email);
    await c.goto(`${ui.e2e.baseUrl}/comments/${comment.id}`);
    expect(await c.locator('.why-flagged').count()).toBe(0);
    // Nothing is chosen for her: a preselected category would be one careless click from the
    // wrong route.
    expect(await c.locator('#flag-category').inputValue()).toBe('');
    expect(await c.locator('#flag-category option:checked').textContent()).toBe('Choose…');
    await c.selectOption('#flag-category', 'safeguarding');
    await c.fill('#flag-note', 'Sounds like neglect at home');
    await c.click('#flag-this button[type=submit]');
    await c.locator('.flash-ok').waitFor();
    expect(await c.locator('.flash-ok').textContent()).toContain('the safeguarding leads have been told now');
    expect(await c.locator('.why-flagged li').textContent()).toMatch(
      /safeguarding: staff flag · high severity · said by Staff flagged by hand/,
    );
    await saveScreenshot(c, 'teach-flagged');

    // Dana, the safeguarding lead, has it on her Safeguarding page and an urgent notification.
    const d = await ui.signedInPage(dana.email);
    await d.goto(`${ui.e2e.baseUrl}/safeguarding`);
    const escalation = d.locator('li.escalation', { has: d.locator(`a[href="/comments/${comment.id}"]`) });
    expect(await escalation.count()).toBe(1);
    expect(await escalation.locator('.reason').textContent()).toContain('Safeguarding concern: staff flag');
    const [note] = await ui.e2e.t.db.select().from(notifications).where(eq(notifications.userId, dana.id));
    expect(note).toMatchObject({ event: 'escalation.safeguarding', urgency: 'urgent' });

    // Tara, trust admin, reviews it from the Corrections screen and keeps it as a training example.
    const t = await ui.signedInPage(tara.email, { acceptDownloads: true });
    await t.goto(`${ui.e2e.baseUrl}/`);
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
    const lines = (await readFile(path, 'utf8')).trim().split('\n');
    const [correction] = await ui.e2e.t.db.select().from(classifierCorrections);
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
