/// <reference lib="dom" />
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildExternalTiers } from '../../services/classification/external-tiers.js';
import { SchoolClassifierCache } from '../../services/classification/school-classifier-cache.js';
import { systemContext } from '../../services/core/service-context.js';
import { processComment } from '../../services/ingestion/process-comment.js';
import { createProcessingSteps } from '../../workers/processing-steps.js';
import { saveScreenshot } from '../helpers/browser.js';
import { createPasswordUser, type E2eApp } from '../helpers/e2e-app.js';
import { useE2eBrowser } from '../helpers/e2e-browser.js';
import { createAccount, createComment, createSchool } from '../helpers/factories.js';
import { type GuardModelServer, startGuardModelServer } from '../helpers/guard-model-server.js';

let guard: GuardModelServer;
// Registered before useE2eBrowser's own: the model is listening before the app reads its config.
beforeAll(async () => {
  guard = await startGuardModelServer();
});
afterAll(() => guard?.close());

/** The app configured with the guard model, Chromium, and a watch on every page (axe-core, no outside request). */
const ui = useE2eBrowser({
  configOverrides: () => ({ GUARD_MODEL_URL: guard.url, GUARD_MODEL_ALLOW_PRIVATE_NETWORK: 'true' }),
});
let e2e: E2eApp;
beforeAll(() => {
  e2e = ui.e2e;
});
const signedInPage = (email: string) => ui.signedInPage(email);

describe('the guard model tier in the browser (#20 item 3)', () => {
  it('a trust admin sees where text would go and turns it on; comms sees which tier flagged a comment', async () => {
    const school = await createSchool(e2e.t.db, { name: 'Meadow Trust Primary' });
    const [admin, comms] = await Promise.all([
      createPasswordUser(e2e, {
        trustId: school.trustId,
        email: 'tara@meadow.test',
        displayName: 'Tara Trust',
        roles: [{ schoolId: school.id, role: 'trust_admin' }],
      }),
      createPasswordUser(e2e, {
        trustId: school.trustId,
        email: 'cal@meadow.test',
        displayName: 'Cal Comms',
        roles: [{ schoolId: school.id, role: 'comms' }],
      }),
    ]);
    const host = new URL(guard.url).host;

    const tara = await signedInPage(admin.email);
    await tara.goto(`${e2e.baseUrl}/schools/${school.id}/settings`);
    const tier = tara.locator('li[data-tier="guard"]');
    expect(await tier.textContent()).toContain(`Turning it on sends comment text to ${host}`);
    expect(await tara.locator('li[data-tier="moderation"]').textContent()).toContain('not configured');
    await Promise.all([
      tara.waitForURL(/\/settings/),
      tier.getByRole('button', { name: `Send comment text to ${host}` }).click(),
    ]);
    expect(await tara.locator('.flash-ok').textContent()).toContain(`comment text is now sent to ${host}`);
    expect(await tara.locator('li[data-tier="guard"]').textContent()).toContain(
      `Comment text is sent to ${host}`,
    );
    await saveScreenshot(tara, 'settings-outside-classification');

    // A comment arrives and is processed as the worker does, with the installation's tiers.
    guard.behave({ kind: 'answer', content: 'unsafe\nS11' });
    const account = await createAccount(e2e.t.db, { schoolId: school.id });
    const comment = await createComment(e2e.t.db, {
      schoolId: school.id,
      accountId: account.id,
      text: 'no one would even notice if i just stopped turning up anywhere',
      deadlineAt: new Date(Date.now() + 6 * 3_600_000),
    });
    await processComment(systemContext(e2e.t.db, 'e2e processing'), { commentId: comment.id }, [
      ...createProcessingSteps({
        classifiers: new SchoolClassifierCache(e2e.config.encryptionKey),
        externalTiers: buildExternalTiers(e2e.config.externalClassification),
      }),
    ]);
    expect(guard.requests).toHaveLength(1);

    const cal = await signedInPage(comms.email);
    await cal.goto(`${e2e.baseUrl}/comments/${comment.id}`);
    const why = cal.locator('.why-flagged li', { hasText: 'Guard model' });
    expect(await why.textContent()).toMatch(/safeguarding.*self harm.*said by Guard model llama-guard3/i);
    expect(await cal.locator('.outside-tiers').textContent()).toBe(
      'Also asked: Guard model llama-guard3 answered.',
    );
  });
});
