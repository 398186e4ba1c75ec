import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { moderationActions, socialAccounts } from '../../../db/schema/index.js';
import { buildTestApp, type TestApp } from '../../helpers/build-test-app.js';
import { createAccount, createComment, createSchool, createUser } from '../../helpers/factories.js';
import { signIn } from '../../helpers/sign-in.js';
import { metaTestEnv } from '../../helpers/test-config.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';
import { clearRedisPrefix } from '../../helpers/test-redis.js';

let t: TestDatabase;
let api: TestApp;

beforeAll(async () => {
  t = await createTestDatabase();
  api = await buildTestApp(t.db, { configOverrides: metaTestEnv('http://127.0.0.1:1') });
});
afterAll(async () => {
  await clearRedisPrefix(api.config.redisPrefix);
  await api.close();
  await t.drop();
});

type Platform = 'x' | 'facebook' | 'instagram';

/** A school with an account on the platform, two of its admins, and a parent's comment on it. */
async function scene(platform: Platform) {
  const school = await createSchool(t.db, { name: 'Oakfield Primary' });
  const [adminA, adminB] = await Promise.all(
    ['Admin A', 'Admin B'].map((displayName) =>
      createUser(t.db, {
        trustId: school.trustId,
        roles: [{ schoolId: school.id, role: 'comms' }],
        displayName,
      }),
    ),
  );
  const account = await createAccount(t.db, {
    schoolId: school.id,
    platform,
    handle: platform === 'facebook' ? 'Oakfield Primary School' : 'oakfield',
    adminIds: [adminA!.id, adminB!.id],
  });
  const comment = await createComment(t.db, {
    schoolId: school.id,
    accountId: account.id,
    platform,
    text: 'useless id10ts',
    url:
      platform === 'x'
        ? 'https://x.com/parent/status/1'
        : platform === 'facebook'
          ? 'https://www.facebook.com/100/posts/200?comment_id=300'
          : 'https://www.instagram.com/p/abc/c/300',
  });
  return { school, adminA: adminA!, adminB: adminB!, account, comment };
}

async function as(userId: string) {
  return (await signIn(t.db, userId)).headers;
}

describe('platforms as equals', () => {
  it('caps a notice at the platform’s length: 280 on X, longer on Facebook', async () => {
    const notice = `${'We have hidden a reply that broke our community guidelines. '.repeat(10)}`.trim();
    expect(notice.length).toBeGreaterThan(280);
    const x = await scene('x');
    const refused = await api.app.inject({
      method: 'POST',
      url: `/api/comments/${x.comment.id}/actions`,
      headers: await as(x.adminA.id),
      payload: { kind: 'hide', reasonCategory: 'offensive', reasonText: 'insults staff', noticeText: notice },
    });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().message).toBe(
      `The notice is ${notice.length} characters; a notice on X may be at most 280`,
    );

    const fb = await scene('facebook');
    const accepted = await api.app.inject({
      method: 'POST',
      url: `/api/comments/${fb.comment.id}/actions`,
      headers: await as(fb.adminA.id),
      payload: { kind: 'hide', reasonCategory: 'offensive', reasonText: 'insults staff', noticeText: notice },
    });
    expect(accepted.statusCode).toBe(201);
    expect(accepted.json().action.noticeText).toBe(notice);

    const tooLongAnywhere = await api.app.inject({
      method: 'POST',
      url: `/api/comments/${fb.comment.id}/actions`,
      headers: await as(fb.adminA.id),
      payload: {
        kind: 'delete',
        reasonCategory: 'offensive',
        reasonText: 'x',
        noticeText: 'a'.repeat(100_000),
      },
    });
    expect(tooLongAnywhere.statusCode).toBe(400);
  });

  it('offers on the platform what its API can do, and by hand (with the reason) what it cannot', async () => {
    const modes = async (platform: Platform) => {
      const s = await scene(platform);
      const res = await api.app.inject({
        url: `/api/comments/${s.comment.id}/actions/available`,
        headers: await as(s.adminA.id),
      });
      expect(res.statusCode).toBe(200);
      const body = res.json();
      return {
        name: body.platformName,
        max: body.maxNoticeChars,
        mode: Object.fromEntries(body.actions.map((a: { kind: string; mode: string }) => [a.kind, a.mode])),
        note: Object.fromEntries(
          body.actions.map((a: { kind: string; note: string | null }) => [a.kind, a.note]),
        ),
      };
    };
    const x = await modes('x');
    expect(x).toMatchObject({
      name: 'X',
      max: 280,
      mode: { hide: 'platform', delete: 'manual', mute: 'platform' },
    });
    const fb = await modes('facebook');
    expect(fb).toMatchObject({
      name: 'Facebook',
      mode: { hide: 'platform', delete: 'platform', block: 'platform', mute: 'manual', report: 'manual' },
    });
    expect(fb.note.mute).toMatch(/Facebook has no mute for a Page/);
    const ig = await modes('instagram');
    expect(ig).toMatchObject({
      name: 'Instagram',
      mode: { hide: 'platform', delete: 'platform', block: 'manual' },
    });
    expect(ig.note.block).toBe('Instagram’s API cannot block; do it in the Instagram app and record it');
  });

  it('a block on Instagram takes the manual path under the two-admin rule', async () => {
    const s = await scene('instagram');
    const res = await api.app.inject({
      method: 'POST',
      url: `/api/comments/${s.comment.id}/actions`,
      headers: await as(s.adminA.id),
      payload: { kind: 'block', reasonCategory: 'harassment', reasonText: 'repeated abuse' },
    });
    expect(res.statusCode).toBe(202);
    expect(res.json().action).toMatchObject({ mode: 'manual', status: 'proposed' });
  });

  it('the comment page names the comment’s own platform: View on Facebook, Hidden on Facebook', async () => {
    const s = await scene('facebook');
    await t.db.insert(moderationActions).values({
      schoolId: s.school.id,
      accountId: s.account.id,
      commentId: s.comment.id,
      kind: 'hide',
      mode: 'platform',
      status: 'succeeded',
      reasonCategory: 'offensive',
      reasonText: 'insults staff',
      proposedBy: s.adminA.id,
      completedAt: new Date(),
    });
    const page = await api.app.inject({ url: `/comments/${s.comment.id}`, headers: await as(s.adminA.id) });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('View on Facebook');
    expect(page.body).toContain('Hidden on Facebook');
    expect(page.body).not.toMatch(/(View|Hidden) on X/);
    expect(page.body).toContain('Comment on <bdi>Oakfield Primary School</bdi>');
    expect(page.body).not.toContain('@<bdi>Oakfield Primary School');

    const inbox = await api.app.inject({ url: '/', headers: await as(s.adminA.id) });
    expect(inbox.body).toContain('View on Facebook');
    expect(inbox.body).not.toContain('View on X');
    expect(inbox.body).toContain('<option value="bluesky">Bluesky</option>');
  });

  it('the account page offers the platform’s own way to connect, and names a Page by its name', async () => {
    for (const [platform, button] of [
      ['x', 'Connect to X'],
      ['facebook', 'Connect a Facebook Page'],
      ['instagram', 'Connect Instagram through its Facebook Page'],
    ] as const) {
      const s = await scene(platform);
      await t.db
        .update(socialAccounts)
        .set({ status: 'approved', credentialStatus: 'none' })
        .where(eq(socialAccounts.id, s.account.id));
      const page = await api.app.inject({ url: `/accounts/${s.account.id}`, headers: await as(s.adminA.id) });
      expect(page.statusCode).toBe(200);
      expect(page.body, platform).toContain(`>${button}</button>`);
      if (platform === 'facebook') expect(page.body).not.toContain('@Oakfield Primary School');
    }
  });

  it('with Meta not configured, a Facebook account page says why it cannot be connected', async () => {
    const off = await buildTestApp(t.db);
    try {
      const s = await scene('facebook');
      await t.db
        .update(socialAccounts)
        .set({ status: 'approved', credentialStatus: 'none' })
        .where(eq(socialAccounts.id, s.account.id));
      const page = await off.app.inject({ url: `/accounts/${s.account.id}`, headers: await as(s.adminA.id) });
      expect(page.body).not.toContain('Connect a Facebook Page</button>');
      expect(page.body).toContain(
        'Not connectable here: META_APP_ID, META_APP_SECRET and META_WEBHOOK_VERIFY_TOKEN are not set',
      );
    } finally {
      await off.close();
    }
  });
});
