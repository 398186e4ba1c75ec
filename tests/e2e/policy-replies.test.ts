/// <reference lib="dom" />
import { beforeAll, describe, expect, it } from 'vitest';
import { createPasswordUser, type E2eApp } from '../helpers/e2e-app.js';
import { useE2eBrowser } from '../helpers/e2e-browser.js';
import { createComment, createSchool } from '../helpers/factories.js';
import { connectSandboxAccount } from '../helpers/sandbox-account.js';

/** The app with the sandbox X and the workers (notices and replies really post), Chromium, and the page watch. */
const ui = useE2eBrowser({ sandbox: true, workers: true });
let e2e: E2eApp;
let n = 0;

beforeAll(() => {
  e2e = ui.e2e;
});

async function scene() {
  n += 1;
  const sandbox = e2e.sandbox!;
  const school = await createSchool(e2e.t.db, { name: `Elm Grove ${n}` });
  const [ash, cam, hana] = await Promise.all([
    createPasswordUser(e2e, {
      trustId: school.trustId,
      email: `ash${n}@elm.test`,
      displayName: 'Ash Admin',
      roles: [{ schoolId: school.id, role: 'comms' }],
    }),
    createPasswordUser(e2e, {
      trustId: school.trustId,
      email: `cam${n}@elm.test`,
      displayName: 'Cam Comms',
      roles: [{ schoolId: school.id, role: 'comms' }],
    }),
    createPasswordUser(e2e, {
      trustId: school.trustId,
      email: `hana${n}@elm.test`,
      displayName: 'Hana Head',
      roles: [{ schoolId: school.id, role: 'senior_leader' }],
    }),
  ]);
  const { account, user } = await connectSandboxAccount(e2e.t.db, sandbox, e2e.config, {
    schoolId: school.id,
    username: `elm_grove_${n}`,
    adminIds: [ash.id],
  });
  const post = sandbox.state.createPost({ author: user.id, text: 'Spring term dates are out' });
  const comment = async (text: string, extra: Partial<Parameters<typeof createComment>[1]> = {}) => {
    const reply = sandbox.state.injectComment({ from: `parent_${n}`, inReplyTo: post.id, text });
    return createComment(e2e.t.db, {
      schoolId: school.id,
      accountId: account.id,
      externalId: reply.id,
      conversationId: post.id,
      inReplyToExternalId: post.id,
      authorExternalId: reply.authorId,
      authorHandle: `parent_${n}`,
      text,
      processedAt: new Date(),
      deadlineAt: new Date(Date.now() + 6 * 3_600_000),
      ...extra,
    });
  };
  const posted = () =>
    sandbox.state
      .tweetsBy(user.id)
      .filter((tw) => !tw.deleted)
      .map((tw) => tw.text);
  return { school, ash, cam, hana, comment, posted };
}

describe('P3 and the house rules in the browser', () => {
  it('a senior leader names the house rules; an admin hides a comment and X shows which rule it broke; flags show their target', async () => {
    const s = await scene();
    const head = await ui.signedInPage(s.hana.email);
    await head.goto(`${e2e.baseUrl}/schools/${s.school.id}/settings`);
    await head
      .getByLabel("House rules link (published on the school's website)")
      .fill('https://elm.example/rules');
    const rules = head.getByLabel('House rules, one a line as “id: name” (notices cite the name)');
    expect(await rules.inputValue()).toContain('be_respectful: Be respectful');
    await rules.fill('be_respectful: Be kind online\nno_spam: No adverts');
    await head.getByLabel('Offensive flags are handled within (working minutes)').fill('90');
    await Promise.all([head.waitForURL(/\/settings/), head.click('text=Save house rules and replies')]);
    expect(await head.locator('.flash-ok').textContent()).toContain('House rules and replies saved');

    const rude = await s.comment('you lot are clowns');
    const admin = await ui.signedInPage(s.ash.email);
    await admin.goto(`${e2e.baseUrl}/comments/${rude.id}`);
    expect(await admin.locator('#house-rule option').allTextContents()).toEqual([
      'The rule for the reason above',
      'Be kind online',
      'No adverts',
    ]);
    await admin.selectOption('#action-kind', 'hide');
    await admin.selectOption('#reason-category', 'offensive');
    await admin.fill('#reason-text', 'Insults staff');
    await admin.click('#moderate button[type=submit]');
    await expect.poll(() => admin.locator('.flash-ok').textContent()).toContain('hide');
    await expect
      .poll(s.posted, { timeout: 30_000 })
      .toContainEqual(
        'We have hidden a reply because it broke our house rule “Be kind online”. Our house rules: https://elm.example/rules',
      );

    await s.comment('total idiots', {
      categories: ['offensive'],
      labels: [
        {
          category: 'offensive',
          subcategory: 'insult',
          severity: 'medium',
          confidence: 0.9,
          source: 'lexicon',
          spans: [[6, 12]],
        },
      ] as never,
    });
    await admin.goto(`${e2e.baseUrl}/flags`);
    expect(await admin.locator('.flagged .flag-target').first().textContent()).toContain(
      'the school handles offensive flags within 90 working minutes',
    );

    await admin.goto(`${e2e.baseUrl}/notifications`);
    const flagged = admin.getByLabel('Email: A comment on an account you administer is flagged offensive');
    expect(await flagged.isChecked()).toBe(true);
    expect(await flagged.isDisabled()).toBe(true);
  });
});

describe('P10, P11 and the sign-off in the browser', () => {
  it('a reply about an exclusion waits for the head, who sees why and approves; it goes out signed; a pupil named is refused', async () => {
    const s = await scene();
    const asked = await s.comment('Why was my son sent home?');
    const comms = await ui.signedInPage(s.cam.email);
    await comms.goto(`${e2e.baseUrl}/comments/${asked.id}`);
    expect(await comms.locator('#compose').textContent()).toContain('It is signed with your initials.');
    await comms.fill('#reply-text', 'Please call the office so we can talk about the exclusion.');
    await comms.click('#compose button[type=submit]');
    await expect
      .poll(() => comms.locator('.flash-ok').textContent())
      .toBe('Your reply waits for a senior leader’s approval.');

    const head = await ui.signedInPage(s.hana.email);
    await head.goto(`${e2e.baseUrl}/approvals`);
    const item = head.locator('.card.reply').first();
    expect(await item.locator('.approval-why').textContent()).toBe(
      'Needs approval: touches Exclusions (exclusion) (P10)',
    );
    await item.locator('button', { hasText: 'Approve and send' }).click();
    await expect
      .poll(s.posted, { timeout: 30_000 })
      .toContainEqual('Please call the office so we can talk about the exclusion.\n— CC');

    // Sent in error after all: comms takes it down from the comment page, with the reason.
    await expect
      .poll(
        async () => {
          await comms.goto(`${e2e.baseUrl}/comments/${asked.id}`);
          return comms.locator('.remove-reply').count();
        },
        { timeout: 30_000 },
      )
      .toBe(1);
    await comms.getByLabel('Sent in error? Why').fill('The head wants to ring the family first');
    await comms.click('.remove-reply button[type=submit]');
    await expect
      .poll(() => comms.locator('.flash-ok').textContent())
      .toContain('The reply is removed from the platform');
    expect(await comms.locator('.removed-reply').textContent()).toContain(
      'The head wants to ring the family first',
    );
    expect(s.posted()).not.toContainEqual('Please call the office so we can talk about the exclusion.\n— CC');

    const other = await s.comment('Who won the prize?');
    await comms.goto(`${e2e.baseUrl}/comments/${other.id}`);
    await comms.fill('#reply-text', 'Well done to Tom in Year 4!');
    await comms.click('#compose button[type=submit]');
    await expect.poll(() => comms.locator('main').textContent()).toContain('Replies must never name a pupil');

    await comms.fill('#reply-text', 'The winners are on our website.');
    await comms.check('#request-approval');
    await comms.click('#compose button[type=submit]');
    await expect
      .poll(() => comms.locator('.flash-ok').textContent())
      .toBe('Your reply waits for a senior leader’s approval.');
  });
});
