/// <reference lib="dom" />
import { beforeAll, describe, expect, it } from 'vitest';
import { SchoolClassifierCache } from '../../services/classification/school-classifier-cache.js';
import { systemContext } from '../../services/core/service-context.js';
import { processComment } from '../../services/ingestion/process-comment.js';
import { createProcessingSteps } from '../../workers/processing-steps.js';
import { createPasswordUser, type E2eApp } from '../helpers/e2e-app.js';
import { useE2eBrowser } from '../helpers/e2e-browser.js';
import { createAccount, createComment, createSchool } from '../helpers/factories.js';

/** P6 and P7 as the people doing them see it: Settings, the comment page, Approvals, Escalations. */
const ui = useE2eBrowser();
let e2e: E2eApp;
let n = 0;

beforeAll(() => {
  e2e = ui.e2e;
});

async function scene() {
  n += 1;
  const school = await createSchool(e2e.t.db, { name: `Ash Lane ${n}` });
  const person = (name: string, role: 'comms' | 'senior_leader') =>
    createPasswordUser(e2e, {
      trustId: school.trustId,
      email: `${name.split(' ')[0]!.toLowerCase()}${n}@ash.test`,
      displayName: name,
      roles: [{ schoolId: school.id, role }],
    });
  const [cam, hana, dev, sam] = await Promise.all([
    person('Cam Comms', 'comms'),
    person('Hana Head', 'senior_leader'),
    person('Dev Deputy', 'senior_leader'),
    person('Sam Senior', 'senior_leader'),
  ]);
  const account = await createAccount(e2e.t.db, { schoolId: school.id, adminIds: [cam.id] });
  let minute = 0;
  const steps = createProcessingSteps({ classifiers: new SchoolClassifierCache(e2e.config.encryptionKey) });
  const arrive = async (text: string, author = '42') => {
    minute += 1;
    const c = await createComment(e2e.t.db, {
      schoolId: school.id,
      accountId: account.id,
      text,
      authorExternalId: author,
      authorHandle: `author_${author}`,
      postedAt: new Date(Date.now() - 60 * 60_000 + minute * 60_000),
      deadlineAt: new Date(Date.now() + 6 * 3_600_000),
    });
    await processComment(systemContext(e2e.t.db, 'e2e processing'), { commentId: c.id }, steps);
    return c;
  };
  return { school, cam, hana, dev, sam, arrive };
}

describe('P6: a media enquiry in the browser', () => {
  it('the head names herself and a deputy; comms marks an enquiry; another senior leader may not approve; the head does', async () => {
    const s = await scene();
    const head = await ui.signedInPage(s.hana.email);
    await head.goto(`${e2e.baseUrl}/schools/${s.school.id}/settings`);
    expect(await head.getByText('No headteacher is named').count()).toBe(1);
    await head.getByLabel('Headteacher (a senior leader)').selectOption({ label: 'Hana Head' });
    await head
      .getByRole('group', { name: /Deputies who may approve/ })
      .getByLabel('Dev Deputy')
      .check();
    await head.getByRole('button', { name: 'Save media and conduct settings' }).click();
    await head.getByText('Media and conduct settings saved: Hana Head is the headteacher').waitFor();
    // The headteacher is not offered as her own deputy.
    const deputyBoxes = head.getByRole('group', { name: /Deputies who may approve/ });
    expect(await deputyBoxes.getByLabel('Hana Head').count()).toBe(0);
    expect(await deputyBoxes.getByLabel('Dev Deputy').isChecked()).toBe(true);

    // An enquiry the classifier does not see (it flags "asking for the community newsletter"):
    // comms knows a journalist's 'a line' when they read one.
    const c = await s.arrive(
      'Is there someone I could ring about the car park plans? I need a line before Thursday.',
    );
    const comms = await ui.signedInPage(s.cam.email);
    await comms.goto(`${e2e.baseUrl}/comments/${c.id}`);
    await comms.getByRole('button', { name: 'Mark as a media enquiry' }).click();
    await comms.getByText('Marked as a media enquiry').waitFor();
    const notice = await comms.locator('.media-enquiry').innerText();
    expect(notice).toContain(
      'No reply and no offline response without the approval of Hana Head (headteacher) or Dev Deputy',
    );

    await comms.locator('#reply-kind').selectOption('offline');
    await comms.getByLabel('Who was contacted').fill('Jo Reporter, the Gazette');
    await comms.getByLabel('Reply', { exact: true }).fill('We will say the car park opens in May.');
    await comms.locator('#compose').getByRole('button', { name: 'Send' }).click();
    await comms.getByText('waits for a senior leader’s approval').waitFor();

    const other = await ui.signedInPage(s.sam.email);
    await other.goto(`${e2e.baseUrl}/approvals`);
    const card = other.locator('li.reply');
    expect(await card.innerText()).toContain(
      'Only Hana Head (headteacher) or Dev Deputy may approve or reject',
    );
    expect(await card.getByRole('button', { name: 'Approve and send' }).count()).toBe(0);

    await head.goto(`${e2e.baseUrl}/approvals`);
    const mine = head.locator('li.reply');
    expect(await mine.innerText()).toContain('Proposed offline response (phone) to Jo Reporter, the Gazette');
    await mine.getByRole('button', { name: 'Approve and send' }).click();
    await head
      .getByText(/approved/i)
      .first()
      .waitFor();
    await head.goto(`${e2e.baseUrl}/comments/${c.id}`);
    expect(await head.locator('main').innerText()).toMatch(/responded|Responded/);
  });
});

describe('P7: unacceptable conduct in the browser', () => {
  it('a senior leader sees a defamatory comment escalated, and closes a harassment case as not referred to the police', async () => {
    const s = await scene();
    await s.arrive('Everyone knows Mr Patel stole the trip money.');
    await s.arrive('you idiot', 'troll');
    await s.arrive('what an idiot', 'troll');
    await s.arrive('idiot teachers', 'troll');

    const head = await ui.signedInPage(s.hana.email);
    await head.goto(`${e2e.baseUrl}/escalations`);
    const cards = head.locator('li.escalation');
    const texts = await cards.allInnerTexts();
    expect(texts.some((t) => t.includes('Unacceptable conduct (P7): defamation'))).toBe(true);
    const harassment = cards.filter({ hasText: 'Unacceptable conduct (P7): harassment' });
    expect(await harassment.innerText()).toContain('Police referral due');
    // Sentence case, as the rest of the page: "High severity", not "High Severity" (as shown, CSS included).
    // biome-ignore lint/performance/useDomNodeTextContent: the rendered text is the point (text-transform)
    expect(await harassment.locator('.severity').innerText()).toMatch(/^(High|Medium|Low) severity$/);

    await harassment
      .getByLabel('What was done (required to close)')
      .fill('Blocked the account; parents spoken to.');
    await harassment.getByRole('button', { name: 'Close with this note' }).click();
    await head.getByText('record the police referral with its reference').waitFor();

    const again = head.locator('li.escalation').filter({ hasText: 'Unacceptable conduct (P7): harassment' });
    await again
      .getByLabel('What was done (required to close)')
      .fill('Blocked the account; not a police matter.');
    await again.getByLabel('Not referred to the police (the note says why)').check();
    await again.getByRole('button', { name: 'Close with this note' }).click();
    await head.getByText('Closed, with your note kept in the audit log.').waitFor();
    const closed = head
      .locator('li.escalation')
      .filter({ hasText: 'Not referred to the police: the closing note says why' });
    expect(await closed.count()).toBe(1);
  });
});
