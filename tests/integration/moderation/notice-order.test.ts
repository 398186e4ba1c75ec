import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { moderationActions } from '../../../db/schema/index.js';
import { type Sandbox, startSandbox } from '../../../sandbox/server.js';
import { sealCredentials } from '../../../services/accounts/account-credentials.js';
import { buildTestApp, type TestApp } from '../../helpers/build-test-app.js';
import { createAccount, createComment, createSchool, createUser } from '../../helpers/factories.js';
import { signIn } from '../../helpers/sign-in.js';
import { metaTestEnv } from '../../helpers/test-config.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';
import { clearRedisPrefix } from '../../helpers/test-redis.js';
import { runAction } from './moderation-fixture.js';

let t: TestDatabase;
let sandbox: Sandbox;
let api: TestApp;
let n = 0;

beforeAll(async () => {
  t = await createTestDatabase();
  sandbox = await startSandbox({ port: 0, host: '127.0.0.1' });
  api = await buildTestApp(t.db, { configOverrides: metaTestEnv(sandbox.url) });
});
afterAll(async () => {
  await clearRedisPrefix(api.config.redisPrefix);
  await api.close();
  await sandbox.close();
  await t.drop();
});

/** An Instagram account connected through its Page, and an abusive comment on its media (stored). */
async function instagramScene() {
  n += 1;
  const m = sandbox.meta.state;
  const page = m.createPage({
    name: `Oakfield ${n}`,
    admins: [`Jo ${n}`],
    instagram: { username: `oakfield_${n}` },
  });
  const media = m.createMedia({ owner: `oakfield_${n}`, caption: 'Sports day' });
  const abuse = m.addIgComment({ on: media.id, from: `angry_${n}`, text: 'useless id10ts' });
  const school = await createSchool(t.db, { name: `Oakfield Primary ${n}` });
  const admin = await createUser(t.db, {
    trustId: school.trustId,
    roles: [{ schoolId: school.id, role: 'comms' }],
    displayName: 'Admin A',
  });
  const account = await createAccount(t.db, {
    schoolId: school.id,
    platform: 'instagram',
    handle: `oakfield_${n}`,
    platformUserId: page.igUserId!,
    credentialsEncrypted: sealCredentials(api.config.encryptionKey, {
      accessToken: m.issuePageToken(page.id).token,
    }),
    adminIds: [admin.id],
  });
  const comment = await createComment(t.db, {
    schoolId: school.id,
    accountId: account.id,
    platform: 'instagram',
    externalId: abuse.id,
    conversationId: media.id,
    text: abuse.text,
  });
  return { admin, account, comment, abuse };
}

describe('notice order per platform', () => {
  it('Instagram: the notice is posted before the hide (Instagram refuses a reply to a hidden comment), once', async () => {
    const s = await instagramScene();
    const { headers } = await signIn(t.db, s.admin.id);
    const res = await api.app.inject({
      method: 'POST',
      url: `/api/comments/${s.comment.id}/actions`,
      headers,
      payload: {
        kind: 'hide',
        reasonCategory: 'offensive',
        reasonText: 'insults staff',
        noticeTemplate: 'community_guidelines',
      },
    });
    expect(res.statusCode).toBe(201);
    const { action } = res.json();
    expect(await runAction(t.db, api.config, action.id)).toMatchObject({ status: 'succeeded' });

    const m = sandbox.meta.state;
    expect(m.isHidden(s.abuse.id)).toBe(true);
    const replies = m.repliesTo(s.abuse.id);
    expect(replies).toHaveLength(1);
    expect(JSON.stringify(replies[0])).toContain('community guidelines');
    const calls = m
      .stateChanges()
      .map((c) => c.endpoint)
      .filter((e) => e === 'POST /{ig-comment-id}/replies' || e === 'POST /{ig-comment-id}');
    expect(calls.slice(-2)).toEqual(['POST /{ig-comment-id}/replies', 'POST /{ig-comment-id}']);

    const notices = await t.db
      .select()
      .from(moderationActions)
      .where(and(eq(moderationActions.commentId, s.comment.id), eq(moderationActions.kind, 'notice')));
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatchObject({ status: 'succeeded', noticeText: action.noticeText });

    // a re-delivered hide job neither posts the notice again nor queues another
    await t.db.update(moderationActions).set({ status: 'queued' }).where(eq(moderationActions.id, action.id));
    await runAction(t.db, api.config, action.id);
    expect(m.repliesTo(s.abuse.id)).toHaveLength(1);
    const after = await t.db
      .select()
      .from(moderationActions)
      .where(and(eq(moderationActions.commentId, s.comment.id), eq(moderationActions.kind, 'notice')));
    expect(after).toHaveLength(1);
  });

  it('Instagram: a notice the platform refuses is recorded as failed, and the comment is still hidden', async () => {
    const s = await instagramScene();
    // hidden already on Instagram: the notice cannot go under it
    sandbox.meta.state.setIgCommentHidden(s.abuse.id, true);
    const { headers } = await signIn(t.db, s.admin.id);
    const res = await api.app.inject({
      method: 'POST',
      url: `/api/comments/${s.comment.id}/actions`,
      headers,
      payload: {
        kind: 'hide',
        reasonCategory: 'offensive',
        reasonText: 'x',
        noticeTemplate: 'community_guidelines',
      },
    });
    const { action } = res.json();
    expect(await runAction(t.db, api.config, action.id)).toMatchObject({ status: 'succeeded' });
    const [notice] = await t.db
      .select()
      .from(moderationActions)
      .where(and(eq(moderationActions.commentId, s.comment.id), eq(moderationActions.kind, 'notice')));
    expect(notice!.status).toBe('failed');
    expect(sandbox.meta.state.repliesTo(s.abuse.id)).toHaveLength(0);
    expect(sandbox.meta.state.isHidden(s.abuse.id)).toBe(true);
  });
});
