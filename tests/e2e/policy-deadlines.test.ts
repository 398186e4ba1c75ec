/// <reference lib="dom" />
import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { comments, schools } from '../../db/schema/index.js';
import { createPasswordUser, type E2eApp } from '../helpers/e2e-app.js';
import { useE2eBrowser } from '../helpers/e2e-browser.js';
import { createComment, createSchool } from '../helpers/factories.js';
import { connectSandboxAccount } from '../helpers/sandbox-account.js';

/** The app with workers (the holding reply goes out through the reply job), Chromium, axe on every page. */
const ui = useE2eBrowser({ workers: true });
let e2e: E2eApp;
let n = 0;

beforeAll(() => {
  e2e = ui.e2e;
});

const nextYear = new Date().getUTCFullYear() + 1;

async function scene() {
  n += 1;
  const sandbox = e2e.sandbox!;
  const school = await createSchool(e2e.t.db, {
    name: `Ashgrove Primary ${n}`,
    calendar: {
      closures: [{ from: `${nextYear}-02-16`, to: `${nextYear}-02-20`, label: 'February half term' }],
    },
  });
  const [casey, hana] = await Promise.all([
    createPasswordUser(e2e, {
      trustId: school.trustId,
      email: `casey${n}@ashgrove.test`,
      displayName: 'Casey Comms',
      roles: [{ schoolId: school.id, role: 'comms' }],
    }),
    createPasswordUser(e2e, {
      trustId: school.trustId,
      email: `hana${n}@ashgrove.test`,
      displayName: 'Hana Head',
      roles: [{ schoolId: school.id, role: 'senior_leader' }],
    }),
  ]);
  const { account, user } = await connectSandboxAccount(e2e.t.db, sandbox, e2e.config, {
    schoolId: school.id,
    username: `ashgrove_e2e_${n}`,
    adminIds: [casey.id],
  });
  const post = sandbox.state.createPost({ author: user.id, text: 'Parents evening is next week' });
  const reply = sandbox.state.injectComment({
    from: `parent_${n}`,
    inReplyTo: post.id,
    text: 'Can I change my parents evening slot?',
  });
  const comment = await createComment(e2e.t.db, {
    schoolId: school.id,
    accountId: account.id,
    externalId: reply.id,
    conversationId: post.id,
    inReplyToExternalId: post.id,
    authorExternalId: reply.authorId,
    authorHandle: `parent_${n}`,
    text: reply.text,
    processedAt: new Date(),
    deadlineAt: new Date(Date.now() + 6 * 3_600_000),
  });
  return { school, casey, hana, sandboxUser: user, comment };
}

describe('P2 in the browser: a holding reply the commenter sees, then the follow-up queue', () => {
  it("comms acknowledges with the school's holding reply; it reaches X and the comment waits in the follow-up queue", async () => {
    const s = await scene();
    const casey = await ui.signedInPage(s.casey.email);
    await casey.goto(`${e2e.baseUrl}/comments/${s.comment.id}`);
    await casey.selectOption('#reply-kind', 'acknowledgement');
    await casey.click('#compose button[type=submit]');
    await expect
      .poll(() => casey.locator('.flash-ok').textContent())
      .toContain('Holding reply queued: it meets the deadline when the platform confirms it.');
    await expect
      .poll(() => e2e.sandbox!.state.tweetsBy(s.sandboxUser.id).map((t) => t.text), { timeout: 30_000 })
      // Signed with comms' initials, the school's default sign-off (002 §5).
      .toContainEqual(
        expect.stringMatching(
          /^Thank you for your message\. We have seen it and will reply in full as soon as we can\.\n— [A-Z]+$/,
        ),
      );
    await expect
      .poll(
        async () => {
          await casey.reload();
          return casey.locator('.follow-up-due').count();
        },
        { timeout: 30_000 },
      )
      .toBe(1);
    expect(await casey.locator('.deadline-result').textContent()).toMatch(/responded in time/);
    await casey.click('.follow-up-due a');
    await casey.waitForURL(`${e2e.baseUrl}/follow-ups`);
    expect(await casey.locator('#follow-up-summary').textContent()).toBe(
      '1 awaiting a full answer; 0 past the follow-up target.',
    );
    expect(await casey.locator(`.follow-ups a[href="/comments/${s.comment.id}"]`).count()).toBe(1);

    const [row] = await e2e.t.db.select().from(comments).where(eq(comments.id, s.comment.id));
    expect(row!.answeredAt).toBeNull();
  });
});

describe('P1 and P12 in the browser: the senior leader sets closure monitoring and retention', () => {
  it('a closure with nobody named is a warning until someone is named; retention periods are saved and the report opens', async () => {
    const s = await scene();
    const hana = await ui.signedInPage(s.hana.email);
    await hana.goto(`${e2e.baseUrl}/schools/${s.school.id}/settings`);
    expect(await hana.locator('#closure-monitor-warning').textContent()).toContain('February half term');
    await hana.selectOption('select[name=closureMonitorIds]', { label: 'Hana Head' });
    await hana.fill('input[name=quarantinedDays]', '14');
    await hana.fill('input[name=safeguardingYears]', '30');
    await hana.click('#deadline-settings-h ~ form button[type=submit]');
    await expect
      .poll(() => hana.locator('.flash-ok').textContent())
      .toContain('Responses, monitoring and retention settings saved');
    expect(await hana.locator('#closure-monitor-warning').count()).toBe(0);
    expect(await hana.inputValue('input[name=quarantinedDays]')).toBe('14');
    const [school] = await e2e.t.db.select().from(schools).where(eq(schools.id, s.school.id));
    expect(school!.closureMonitorIds).toEqual([s.hana.id]);

    await hana.goto(`${e2e.baseUrl}/reports/retention?schoolId=${s.school.id}`);
    expect(await hana.locator('h1').textContent()).toBe('Retention report');
    expect(await hana.locator('main').textContent()).toContain(
      'Raw platform bodies kept for diagnosis (quarantined items): 14 days',
    );
    expect(await hana.locator('main').textContent()).toContain(
      'The retention job has not run for this school yet.',
    );
  });
});
