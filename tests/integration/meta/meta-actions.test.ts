import { eq } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { moderationActions, responses } from '../../../db/schema/index.js';
import { type Sandbox, startSandbox } from '../../../sandbox/server.js';
import { sealCredentials } from '../../../services/accounts/account-credentials.js';
import { sendReply } from '../../../services/comments/send-reply.js';
import { systemContext } from '../../../services/core/service-context.js';
import { executeAction } from '../../../services/moderation/execute-action.js';
import { setPostCommenting } from '../../../services/moderation/set-post-commenting.js';
import { createAdapterFactory } from '../../../services/platforms/create-adapter-factory.js';
import { buildTestApp, type TestApp } from '../../helpers/build-test-app.js';
import { auditActions, expectAuditEntry } from '../../helpers/expect-audit-entry.js';
import { createAccount, createComment, createSchool, createUser } from '../../helpers/factories.js';
import { signIn } from '../../helpers/sign-in.js';
import { metaTestEnv } from '../../helpers/test-config.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';
import { clearRedisPrefix } from '../../helpers/test-redis.js';

const META_ENV = metaTestEnv('http://placeholder');
let t: TestDatabase;
let sandbox: Sandbox;
let api: TestApp;
let n = 0;

beforeAll(async () => {
  t = await createTestDatabase();
  sandbox = await startSandbox({
    port: 0,
    host: '127.0.0.1',
    meta: { app: { id: META_ENV.META_APP_ID!, secret: META_ENV.META_APP_SECRET! } },
  });
  api = await buildTestApp(t.db, { configOverrides: metaTestEnv(sandbox.url) });
});
afterAll(async () => {
  await clearRedisPrefix(api.config.redisPrefix);
  await api.close();
  await sandbox.close();
  await t.drop();
});
afterEach(() => sandbox.faults.reset());

const runAction = (actionId: string) =>
  executeAction(
    systemContext(t.db, 'test executor'),
    { actionId },
    { encryptionKey: api.config.encryptionKey, adapterFor: createAdapterFactory(api.config) },
  );

/** A school with two account admins and a Facebook Page + linked Instagram account on the sandbox. */
async function scene() {
  n += 1;
  const m = sandbox.meta.state;
  const school = await createSchool(t.db, { name: `Meta School ${n}` });
  const roles = [{ schoolId: school.id, role: 'comms' as const }];
  const adminA = await createUser(t.db, { trustId: school.trustId, roles, displayName: 'Admin A' });
  const adminB = await createUser(t.db, { trustId: school.trustId, roles, displayName: 'Admin B' });
  const page = m.createPage({
    name: `Meta School ${n}`,
    admins: [`Head ${n}`],
    instagram: { username: `meta_school_${n}` },
  });
  const credentialsEncrypted = sealCredentials(api.config.encryptionKey, {
    accessToken: m.issuePageToken(page.id).token,
  });
  const common = { schoolId: school.id, credentialsEncrypted, adminIds: [adminA.id, adminB.id] };
  const fb = await createAccount(t.db, {
    ...common,
    platform: 'facebook',
    platformUserId: page.id,
    handle: page.name,
  });
  const ig = await createAccount(t.db, {
    ...common,
    platform: 'instagram',
    platformUserId: page.igUserId!,
    handle: `meta_school_${n}`,
  });
  const post = m.createPost({ page: page.id, message: 'Sports day' });
  const fbRaw = m.addComment({ on: post.id, from: `Angry Parent ${n}`, message: 'useless id10ts' });
  const fbComment = await createComment(t.db, {
    schoolId: school.id,
    accountId: fb.id,
    platform: 'facebook',
    externalId: fbRaw.id,
    conversationId: post.id,
    inReplyToExternalId: post.id,
    authorExternalId: fbRaw.fromId,
    authorHandle: `Angry Parent ${n}`,
    text: fbRaw.message,
  });
  const media = m.createMedia({ owner: ig.handle, caption: 'Trip' });
  const igRaw = m.addIgComment({ on: media.id, from: `troll_${n}`, text: 'rubbish school' });
  const igComment = await createComment(t.db, {
    schoolId: school.id,
    accountId: ig.id,
    platform: 'instagram',
    externalId: igRaw.id,
    conversationId: media.id,
    inReplyToExternalId: media.id,
    authorExternalId: igRaw.fromId,
    authorHandle: `troll_${n}`,
    text: igRaw.text,
  });
  return { school, adminA, adminB, page, fb, ig, fbRaw, fbComment, igRaw, igComment };
}

async function post(userId: string, url: string, payload: Record<string, unknown> = {}) {
  const { headers } = await signIn(t.db, userId);
  return api.app.inject({ method: 'POST', url, headers, payload });
}
async function get(userId: string, url: string) {
  const { headers } = await signIn(t.db, userId);
  return api.app.inject({ method: 'GET', url, headers });
}
const actionRow = async (id: string) =>
  (await t.db.select().from(moderationActions).where(eq(moderationActions.id, id)))[0]!;

const hideBody = { kind: 'hide', reasonCategory: 'offensive', reasonText: 'insults staff' };

describe('Facebook actions through the real action job, read back from the sandbox', () => {
  it('hide hides the comment on Facebook (is_hidden read back), unhide shows it again', async () => {
    const s = await scene();
    const res = await post(s.adminA.id, `/api/comments/${s.fbComment.id}/actions`, hideBody);
    expect(res.statusCode, res.body).toBe(201);
    await runAction(res.json().action.id);
    expect(sandbox.meta.state.isHidden(s.fbRaw.id)).toBe(true);
    expect((await actionRow(res.json().action.id)).status).toBe('succeeded');

    const un = await post(s.adminA.id, `/api/comments/${s.fbComment.id}/actions`, {
      kind: 'unhide',
      reasonCategory: 'other',
      reasonText: 'hidden by mistake',
    });
    expect(un.statusCode, un.body).toBe(201);
    await runAction(un.json().action.id);
    expect(sandbox.meta.state.isHidden(s.fbRaw.id)).toBe(false);
  });

  it('delete and ban need the second admin, then happen on Facebook', async () => {
    const s = await scene();
    const del = await post(s.adminA.id, `/api/comments/${s.fbComment.id}/actions`, {
      kind: 'delete',
      reasonCategory: 'harassment',
      reasonText: 'names a pupil',
    });
    expect(del.statusCode, del.body).toBe(202);
    const confirmDel = await post(s.adminB.id, `/api/actions/${del.json().action.id}/confirm`);
    expect(confirmDel.statusCode, confirmDel.body).toBe(200);
    await runAction(del.json().action.id);
    expect(sandbox.meta.state.isDeleted(s.fbRaw.id)).toBe(true);

    const ban = await post(s.adminA.id, `/api/comments/${s.fbComment.id}/actions`, {
      kind: 'block',
      reasonCategory: 'harassment',
      reasonText: 'third abusive comment this week',
    });
    expect(ban.statusCode, ban.body).toBe(202);
    const confirmBan = await post(s.adminB.id, `/api/actions/${ban.json().action.id}/confirm`);
    expect(confirmBan.statusCode, confirmBan.body).toBe(200);
    await runAction(ban.json().action.id);
    expect(sandbox.meta.state.isBanned(s.page.id, s.fbRaw.fromId)).toBe(true);
    expect((await actionRow(ban.json().action.id)).status).toBe('succeeded');
  });

  it('a revoked token fails the action as needs-reconnecting, and nothing changes on Facebook', async () => {
    const s = await scene();
    sandbox.meta.state.revoke({ page: s.page.id });
    const res = await post(s.adminA.id, `/api/comments/${s.fbComment.id}/actions`, hideBody);
    await runAction(res.json().action.id);
    expect(sandbox.meta.state.isHidden(s.fbRaw.id)).toBe(false);
    expect((await actionRow(res.json().action.id)).status).toBe('failed');
  });
});

describe('Instagram actions', () => {
  it('hide hides the comment on Instagram (hidden read back)', async () => {
    const s = await scene();
    const res = await post(s.adminA.id, `/api/comments/${s.igComment.id}/actions`, hideBody);
    expect(res.statusCode, res.body).toBe(201);
    await runAction(res.json().action.id);
    expect(sandbox.meta.state.isHidden(s.igRaw.id)).toBe(true);
  });

  it("block is offered only by hand, saying Instagram's API cannot block", async () => {
    const s = await scene();
    const res = await get(s.adminA.id, `/api/comments/${s.igComment.id}/actions/available`);
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json() as { actions: { kind: string; mode: string; note?: string }[] };
    const block = body.actions.find((a) => a.kind === 'block');
    expect(block).toMatchObject({
      mode: 'manual',
      note: 'Instagram’s API cannot block; do it in the Instagram app and record it',
    });
  });
});

describe('reply length per platform', () => {
  const reply = (userId: string, commentId: string, text: string) =>
    post(userId, `/api/comments/${commentId}/responses`, { kind: 'public_reply', text });
  const send = (responseId: string) =>
    sendReply(
      systemContext(t.db, 'test sender'),
      { responseId },
      {
        encryptionKey: api.config.encryptionKey,
        adapterFor: createAdapterFactory(api.config),
        timers: { schedule: async () => {}, remove: async () => {} },
      },
    );
  const responsesOf = (commentId: string) =>
    t.db.select().from(responses).where(eq(responses.commentId, commentId));

  it('Instagram refuses a reply over 2,200 characters with a 400 naming the limit; a shorter one is posted', async () => {
    const s = await scene();
    const long = await reply(s.adminA.id, s.igComment.id, 'Thank you. '.repeat(210));
    expect(long.statusCode, long.body).toBe(400);
    expect(long.json().message).toMatch(/Instagram allows 2,200\. Shorten it by [\d,]+ characters/);
    expect(await responsesOf(s.igComment.id)).toEqual([]);

    const ok = await reply(s.adminA.id, s.igComment.id, 'Thank you. '.repeat(190));
    expect(ok.statusCode, ok.body).toBe(201);
    await send(ok.json().responseId);
    const onInstagram = sandbox.meta.state
      .igComment(s.igRaw.id)!
      .replyIds.map((id) => sandbox.meta.state.igComment(id)!.text);
    expect(onInstagram).toHaveLength(1);
    expect(onInstagram[0]).toMatch(/^Thank you\. Thank you\./);
  });

  it('Facebook takes a reply of 3,000 characters that X or Instagram would refuse, and refuses one over 8,000', async () => {
    const s = await scene();
    const ok = await reply(s.adminA.id, s.fbComment.id, 'We hear you. '.repeat(230));
    expect(ok.statusCode, ok.body).toBe(201);
    const long = await reply(s.adminA.id, s.fbComment.id, 'We hear you. '.repeat(700));
    expect(long.statusCode, long.body).toBe(400);
    expect(long.json().message).toMatch(/Facebook allows 8,000/);
  });

  it('the reply form shows the limit, and an over-long reply comes back inline with the draft kept', async () => {
    const s = await scene();
    const page = await get(s.adminA.id, `/comments/${s.igComment.id}`);
    expect(page.body).toContain('Instagram allows 2,200 characters in a reply, sign-off included.');
    const fbPage = await get(s.adminA.id, `/comments/${s.fbComment.id}`);
    expect(fbPage.body).toContain('Facebook allows 8,000 characters in a reply, sign-off included.');

    const text = 'Please call the office. '.repeat(100);
    const { headers } = await signIn(t.db, s.adminA.id);
    const form = await api.app.inject({
      method: 'POST',
      url: `/comments/${s.igComment.id}/reply`,
      headers: { cookie: headers.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ _csrf: headers['x-csrf-token'], kind: 'public_reply', text }).toString(),
    });
    expect(form.statusCode).toBe(400);
    expect(form.body).toMatch(/This reply is 2,[\d]{3} characters with its sign-off; Instagram allows 2,200/);
    expect(form.body).toContain('Please call the office. Please call the office.');
    expect(await responsesOf(s.igComment.id)).toEqual([]);
  });
});

describe('turning commenting off on an Instagram post', () => {
  async function form(userId: string, url: string, fields: Record<string, string>) {
    const { headers } = await signIn(t.db, userId);
    return api.app.inject({
      method: 'POST',
      url,
      headers: { cookie: headers.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ _csrf: headers['x-csrf-token'], ...fields }).toString(),
    });
  }
  /** What Instagram says about the post, read over the Graph API as any client would. */
  async function commentingOnInstagram(mediaId: string, pageId: string): Promise<boolean> {
    const token = sandbox.meta.state.issuePageToken(pageId).token;
    const res = await fetch(
      `${sandbox.url}/v21.0/${mediaId}?fields=is_comment_enabled&access_token=${encodeURIComponent(token)}`,
    );
    return ((await res.json()) as { is_comment_enabled: boolean }).is_comment_enabled;
  }

  it('an admin turns it off from the comment page: Instagram refuses new comments, the change is audited, and it turns on again', async () => {
    const s = await scene();
    const mediaId = s.igComment.conversationId!;
    const page = await get(s.adminA.id, `/comments/${s.igComment.id}`);
    expect(page.body).toContain('Turn commenting off');

    const off = await form(s.adminA.id, `/comments/${s.igComment.id}/post-commenting`, {
      commenting: 'off',
      reason: 'A pile-on about the trip',
    });
    expect(off.statusCode, off.body).toBe(303);
    expect(await commentingOnInstagram(mediaId, s.page.id)).toBe(false);
    expect(() =>
      sandbox.meta.state.addIgComment({ on: mediaId, from: `late_troll_${n}`, text: 'more' }),
    ).toThrow(/commenting is turned off/);
    await expectAuditEntry(t.db, {
      action: 'comment.post_commenting_turned_off',
      subjectId: s.igComment.id,
      actorId: s.adminA.id,
      details: { postExternalId: mediaId, reason: 'A pile-on about the trip', alreadyInState: false },
    });
    const after = await get(s.adminA.id, `/comments/${s.igComment.id}`);
    expect(after.body).toContain('Post commenting turned off');

    const again = await form(s.adminA.id, `/comments/${s.igComment.id}/post-commenting`, {
      commenting: 'off',
      reason: 'Clicked twice',
    });
    expect(again.statusCode).toBe(303);
    await expectAuditEntry(t.db, {
      action: 'comment.post_commenting_turned_off',
      subjectId: s.igComment.id,
      details: { alreadyInState: true },
    });

    const on = await form(s.adminB.id, `/comments/${s.igComment.id}/post-commenting`, {
      commenting: 'on',
      reason: 'It has calmed down',
    });
    expect(on.statusCode).toBe(303);
    expect(await commentingOnInstagram(mediaId, s.page.id)).toBe(true);
    await expectAuditEntry(t.db, {
      action: 'comment.post_commenting_turned_on',
      subjectId: s.igComment.id,
      actorId: s.adminB.id,
    });
  });

  it('records the intent before Instagram is asked: a process that dies after the call still leaves an audit entry saying who asked for what', async () => {
    const s = await scene();
    const mediaId = s.igComment.conversationId!;
    const real = createAdapterFactory(api.config);
    // The platform call succeeds, then the process "dies" before it can record the outcome.
    const dying: typeof real = (account, credentials, onRefresh) => {
      const adapter = real(account, credentials, onRefresh);
      const set = adapter.setCommentsEnabled!.bind(adapter);
      adapter.setCommentsEnabled = async (postId: string, enabled: boolean) => {
        await set(postId, enabled);
        throw new Error('process killed');
      };
      return adapter;
    };
    await expect(
      setPostCommenting(
        systemContext(t.db, 'test'),
        s.igComment.id,
        { enabled: false, reason: 'A pile-on about the trip' },
        { encryptionKey: api.config.encryptionKey, adapterFor: dying },
      ),
    ).rejects.toThrow('process killed');
    expect(await commentingOnInstagram(mediaId, s.page.id)).toBe(false);
    await expectAuditEntry(t.db, {
      action: 'comment.post_commenting_requested',
      subjectId: s.igComment.id,
      details: { postExternalId: mediaId, enabled: false, reason: 'A pile-on about the trip' },
    });
    expect(await auditActions(t.db, s.igComment.id)).not.toContain('comment.post_commenting_turned_off');

    // Done properly, the request comes before the outcome.
    const ok = await setPostCommenting(
      systemContext(t.db, 'test'),
      s.igComment.id,
      { enabled: true, reason: 'It has calmed down' },
      { encryptionKey: api.config.encryptionKey, adapterFor: real },
    );
    expect(ok.commentsEnabled).toBe(true);
    expect((await auditActions(t.db, s.igComment.id)).slice(-2)).toEqual([
      'comment.post_commenting_requested',
      'comment.post_commenting_turned_on',
    ]);
  });

  it('is not offered on Facebook, and a forged form is refused saying why, changing nothing', async () => {
    const s = await scene();
    const page = await get(s.adminA.id, `/comments/${s.fbComment.id}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).not.toContain('Turn commenting off');
    const forged = await form(s.adminA.id, `/comments/${s.fbComment.id}/post-commenting`, {
      commenting: 'off',
      reason: 'A pile-on',
    });
    expect(forged.statusCode).toBe(422);
    expect(forged.body).toContain('the Graph API cannot turn off comments on a Page post');
  });

  it('on a mention under someone else’s media it is refused saying why (4xx), and their post is not touched', async () => {
    const s = await scene();
    const m = sandbox.meta.state;
    m.createIgActor({ username: `bakery_${n}` });
    const theirs = m.createMedia({ owner: `bakery_${n}`, caption: 'Cakes' });
    const raw = m.addIgComment({ on: theirs.id, from: `gossip_${n}`, text: `@${s.ig.handle} awful school` });
    const mention = await createComment(t.db, {
      schoolId: s.school.id,
      accountId: s.ig.id,
      platform: 'instagram',
      externalId: raw.id,
      conversationId: theirs.id,
      inReplyToExternalId: theirs.id,
      authorExternalId: raw.fromId,
      authorHandle: `gossip_${n}`,
      text: raw.text,
    });
    const res = await form(s.adminA.id, `/comments/${mention.id}/post-commenting`, {
      commenting: 'off',
      reason: 'A pile-on elsewhere',
    });
    expect(res.statusCode, res.body).toBeGreaterThanOrEqual(400);
    expect(res.statusCode, res.body).toBeLessThan(500);
    expect(m.media.get(theirs.id)!.commentsEnabled).toBe(true);
  });

  it('someone who is not the account’s admin is refused, and Instagram is not touched', async () => {
    const s = await scene();
    const comms = await createUser(t.db, {
      trustId: s.school.trustId,
      roles: [{ schoolId: s.school.id, role: 'comms' }],
    });
    const page = await get(comms.id, `/comments/${s.igComment.id}`);
    expect(page.body).not.toContain('Turn commenting off');
    const res = await form(comms.id, `/comments/${s.igComment.id}/post-commenting`, {
      commenting: 'off',
      reason: 'A pile-on',
    });
    expect(res.statusCode).toBe(403);
    expect(await commentingOnInstagram(s.igComment.conversationId!, s.page.id)).toBe(true);
  });
});
