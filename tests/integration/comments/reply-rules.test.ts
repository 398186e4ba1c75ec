import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notifications, responses } from '../../../db/schema/index.js';
import { type Sandbox, startSandbox } from '../../../sandbox/server.js';
import { sendReply } from '../../../services/comments/send-reply.js';
import { systemContext } from '../../../services/core/service-context.js';
import { createAdapterFactory } from '../../../services/platforms/create-adapter-factory.js';
import { buildTestApp, type TestApp } from '../../helpers/build-test-app.js';
import { expectAuditEntry } from '../../helpers/expect-audit-entry.js';
import { createAccount, createComment, createSchool, createUser } from '../../helpers/factories.js';
import { connectSandboxAccount } from '../../helpers/sandbox-account.js';
import { signIn } from '../../helpers/sign-in.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';
import { clearRedisPrefix } from '../../helpers/test-redis.js';

let t: TestDatabase;
let sandbox: Sandbox;
let api: TestApp;

beforeAll(async () => {
  t = await createTestDatabase();
  sandbox = await startSandbox({ port: 0, host: '127.0.0.1' });
  api = await buildTestApp(t.db, { configOverrides: { X_API_BASE_URL: sandbox.url } });
});
afterAll(async () => {
  await clearRedisPrefix(api.config.redisPrefix);
  await api.close();
  await sandbox.close();
  await t.drop();
});

let n = 0;
async function scene() {
  n += 1;
  const school = await createSchool(t.db, { name: `Hill Top ${n}` });
  const [comms, head] = await Promise.all([
    createUser(t.db, {
      trustId: school.trustId,
      displayName: 'Casey de Comms',
      roles: [{ schoolId: school.id, role: 'comms' }],
    }),
    createUser(t.db, {
      trustId: school.trustId,
      displayName: 'Hana Head',
      roles: [{ schoolId: school.id, role: 'senior_leader' }],
    }),
  ]);
  const { account, user } = await connectSandboxAccount(t.db, sandbox, api.config, {
    schoolId: school.id,
    username: `hill_top_${n}`,
    adminIds: [comms!.id],
  });
  const post = sandbox.state.createPost({ author: user.id, text: 'Parents evening next week' });
  async function comment(text: string) {
    const reply = sandbox.state.injectComment({ from: `parent_${n}`, inReplyTo: post.id, text });
    return createComment(t.db, {
      schoolId: school.id,
      accountId: account.id,
      externalId: reply.id,
      conversationId: post.id,
      inReplyToExternalId: post.id,
      text: reply.text,
      deadlineAt: new Date(Date.now() + 86_400_000),
    });
  }
  return { school, comms: comms!, head: head!, comment };
}

async function call(userId: string, method: 'POST' | 'PUT', url: string, payload: object) {
  const { headers } = await signIn(t.db, userId);
  return api.app.inject({ method, url, headers, payload });
}
const reply = (userId: string, commentId: string, body: object) =>
  call(userId, 'POST', `/api/comments/${commentId}/responses`, { kind: 'public_reply', ...body });

async function responseRow(id: string) {
  const [row] = await t.db.select().from(responses).where(eq(responses.id, id));
  return row!;
}

describe('P10: a reply touching a sensitive topic waits for a senior leader', () => {
  it('a reply about an exclusion waits, says why, and tells the senior leaders; without the topic it goes', async () => {
    const s = await scene();
    const c = await s.comment('Why was my child sent home?');
    const res = await reply(s.comms.id, c.id, { text: 'We will discuss the exclusion with you in private.' });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ responseStatus: 'pending_approval', commentStatus: 'open' });
    const row = await responseRow(res.json().responseId);
    expect(row.approvalReason).toBe('touches Exclusions (exclusion) (P10)');
    await expectAuditEntry(t.db, {
      action: 'response.approval_requested',
      subjectId: row.id,
      details: { why: 'touches Exclusions (exclusion) (P10)' },
    });
    const told = await t.db
      .select()
      .from(notifications)
      .where(and(eq(notifications.userId, s.head.id), eq(notifications.event, 'reply.approval_requested')));
    expect(told[0]?.body).toContain('Exclusions');

    // "send" is not SEND: capitals match only in capitals.
    const plain = await reply(s.comms.id, (await s.comment('Form?')).id, {
      text: 'Please send the form back by Friday.',
    });
    expect(plain.json().responseStatus).toBe('sending');
    const sen = await reply(s.comms.id, (await s.comment('Support?')).id, {
      text: 'Our SENCO will call you about SEND support.',
    });
    expect(sen.json().responseStatus).toBe('pending_approval');

    // The school takes the topic off its list: the same words go out.
    const set = await call(s.head.id, 'PUT', `/api/schools/${s.school.id}/reply-policy`, {
      sensitiveTopics: [{ name: 'Health', terms: ['medical'] }],
    });
    expect(set.statusCode).toBe(200);
    const after = await reply(s.comms.id, (await s.comment('Sent home?')).id, {
      text: 'We will discuss the exclusion with you in private.',
    });
    expect(after.json().responseStatus).toBe('sending');
  });

  it("a senior leader's own reply on a sensitive topic is approved by its author; anyone may ask for approval", async () => {
    const s = await scene();
    const own = await reply(s.head.id, (await s.comment('Politics?')).id, {
      text: 'The school takes no side in the election.',
    });
    expect(own.json().responseStatus).toBe('sending');
    expect(await responseRow(own.json().responseId)).toMatchObject({
      approvedBy: s.head.id,
      approvalReason: 'touches Politics and religion (election) (P10)',
    });
    const asked = await reply(s.comms.id, (await s.comment('Trip?')).id, {
      text: 'The trip leaves at nine.',
      requestApproval: true,
    });
    expect(asked.json().responseStatus).toBe('pending_approval');
    expect((await responseRow(asked.json().responseId)).approvalReason).toBe('requested by its author (P10)');
  });
});

describe('staff say who they are: replies carry the school’s sign-off', () => {
  it('initials by default, the role or nothing when the school says so', async () => {
    const s = await scene();
    const first = await reply(s.comms.id, (await s.comment('Time?')).id, { text: 'It starts at six.' });
    expect((await responseRow(first.json().responseId)).text).toBe('It starts at six.\n— CDC');
    await call(s.head.id, 'PUT', `/api/schools/${s.school.id}/reply-policy`, { signOff: 'role' });
    const second = await reply(s.comms.id, (await s.comment('Where?')).id, { text: 'In the main hall.' });
    expect((await responseRow(second.json().responseId)).text).toBe(
      'In the main hall.\n— Communications team',
    );
    await call(s.head.id, 'PUT', `/api/schools/${s.school.id}/reply-policy`, { signOff: 'off' });
    const third = await reply(s.comms.id, (await s.comment('Who?')).id, { text: 'All welcome.' });
    expect((await responseRow(third.json().responseId)).text).toBe('All welcome.');
  });
});

describe('P11: a first name beside a year group, class or "my son" is a pupil; no pupil’s circumstances in public', () => {
  it('refuses a reply naming "Tom in Year 4" or "your son Jake", pointing at the name only', async () => {
    const s = await scene();
    const c = await s.comment('Who won?');
    const named = await reply(s.comms.id, c.id, {
      text: 'Well done to Tom in Year 4 for the reading prize!',
    });
    expect(named.statusCode).toBe(422);
    expect(named.json().problems).toEqual([
      expect.objectContaining({ subcategory: 'pupil_named', spans: [[13, 16]] }),
    ]);
    expect(named.json().problems[0].reason).toContain('"Tom" beside "Year 4"');
    const family = await reply(s.comms.id, c.id, { text: 'Thank you, we hope your son Jake enjoyed it.' });
    expect(family.statusCode).toBe(422);
    expect(family.json().problems[0]).toMatchObject({ subcategory: 'pupil_named' });
  });

  it("refuses a pupil's circumstances with a sensitive topic, and lets ordinary replies through", async () => {
    const s = await scene();
    const c = await s.comment('What about my boy?');
    const circumstances = await reply(s.comms.id, c.id, {
      text: "We are sorry about your son's exclusion and will call you.",
    });
    expect(circumstances.statusCode).toBe(422);
    expect(circumstances.json().problems).toEqual([
      expect.objectContaining({ subcategory: 'pupil_circumstances' }),
    ]);
    expect(circumstances.json().message).toContain("must not reveal a pupil's circumstances");
    for (const fine of [
      'Congratulations Year 6 on a brilliant residential!',
      "Mr Hill's Year 6 class loved it.",
      'We hope your daughter enjoyed the trip.',
      'Year 6 Residential letters are out today.',
    ]) {
      const ok = await reply(s.comms.id, (await s.comment('Nice')).id, { text: fine });
      expect(ok.statusCode, `${fine}: ${ok.body}`).toBe(201);
    }
  });
});

describe('a reply longer than X allows', () => {
  it('is refused with a 400 saying X allows 280, and nothing is saved; one that fits is accepted', async () => {
    const s = await scene();
    const c = await s.comment('What time does the fair open?');
    const long = await reply(s.comms.id, c.id, {
      text: `The fair opens at ten. ${'See you there! '.repeat(20)}`,
    });
    expect(long.statusCode, long.body).toBe(400);
    expect(long.json().message).toMatch(
      /characters with its sign-off; X allows 280\. Shorten it by \d+ characters\./,
    );
    expect(await t.db.select().from(responses).where(eq(responses.commentId, c.id))).toEqual([]);
    const fits = await reply(s.comms.id, c.id, { text: 'The fair opens at ten.' });
    expect(fits.statusCode, fits.body).toBe(201);
  });
});

describe('a reply is measured as X measures it (links 23, CJK and emoji 2)', () => {
  it('a reply in Chinese that X counts past 280 is refused, though it is under 160 characters', async () => {
    const s = await scene();
    const c = await s.comment('集市几点开门？');
    const res = await reply(s.comms.id, c.id, {
      text: '集市十点开门。'.repeat(21) + '欢迎光临！！！' + '集',
    });
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json().message).toMatch(/characters with its sign-off; X allows 280\./);
    expect(res.json()).toMatchObject({ maxReplyChars: 280 });
    expect(res.json().length).toBeGreaterThan(300);
    expect(await t.db.select().from(responses).where(eq(responses.commentId, c.id))).toEqual([]);
  });

  it('a reply with a long link that X counts as 23 is accepted, and X takes it when it is sent', async () => {
    const s = await scene();
    const c = await s.comment('Where are the fair details?');
    const text = `The details are at https://oakfield.sch.uk/news/${'summer-fair-'.repeat(22)}details - see you there!`;
    expect([...text].length).toBeGreaterThan(300);
    const res = await reply(s.comms.id, c.id, { text });
    expect(res.statusCode, res.body).toBe(201);
    const sent = await sendReply(
      systemContext(t.db, 'test sender'),
      { responseId: res.json().responseId },
      {
        encryptionKey: api.config.encryptionKey,
        adapterFor: createAdapterFactory(api.config),
        timers: { schedule: async () => {}, remove: async () => {} },
      },
    );
    expect(sent.status).toBe('sent');
    const externalId = (await responseRow(res.json().responseId)).externalId!;
    expect(sandbox.state.tweet(externalId)?.text).toContain('summer-fair-summer-fair');
  });
});

describe('a private reply on Facebook is a Messenger message', () => {
  it('is refused past Messenger’s 2,000 characters, saying so; one that fits is recorded', async () => {
    const s = await scene();
    const fb = await createAccount(t.db, {
      schoolId: s.school.id,
      platform: 'facebook',
      handle: `Hill Top Page ${n}`,
      adminIds: [s.comms.id],
    });
    const c = await createComment(t.db, {
      schoolId: s.school.id,
      accountId: fb.id,
      platform: 'facebook',
      text: 'Please message me about the trip money',
    });
    const long = await call(s.comms.id, 'POST', `/api/comments/${c.id}/responses`, {
      kind: 'private_reply',
      text: 'About the trip money. '.repeat(95),
    });
    expect(long.statusCode, long.body).toBe(400);
    expect(long.json().message).toMatch(
      /characters with its sign-off; Facebook allows 2,000 in a private reply\. Shorten it by \d+ characters\./,
    );
    expect(await t.db.select().from(responses).where(eq(responses.commentId, c.id))).toEqual([]);
    const fits = await call(s.comms.id, 'POST', `/api/comments/${c.id}/responses`, {
      kind: 'private_reply',
      text: 'About the trip money. '.repeat(80),
    });
    expect(fits.statusCode, fits.body).toBe(201);
  });
});

describe('a reply sent in error is removed from the platform, audited with the reason', () => {
  it('comms removes a sent reply; X no longer shows it; the record keeps it marked removed; twice is refused', async () => {
    const s = await scene();
    const c = await s.comment('When is the concert?');
    const res = await reply(s.comms.id, c.id, { text: 'The concert is on the 12th.' });
    const { responseId } = res.json();
    const sent = await sendReply(
      systemContext(t.db, 'test sender'),
      { responseId },
      {
        encryptionKey: api.config.encryptionKey,
        adapterFor: createAdapterFactory(api.config),
        timers: { schedule: async () => {}, remove: async () => {} },
      },
    );
    expect(sent.status).toBe('sent');
    const externalId = (await responseRow(responseId)).externalId!;
    expect(sandbox.state.tweet(externalId)?.deleted).toBe(false);

    const short = await call(s.comms.id, 'POST', `/api/responses/${responseId}/remove`, { reason: 'oops' });
    expect(short.statusCode).toBe(400);
    const removed = await call(s.comms.id, 'POST', `/api/responses/${responseId}/remove`, {
      reason: 'Sent to the wrong parent',
    });
    expect(removed.statusCode, removed.body).toBe(200);
    expect(removed.json()).toMatchObject({ responseId, alreadyGone: false });
    expect(sandbox.state.tweet(externalId)).toBeUndefined();
    expect(await responseRow(responseId)).toMatchObject({
      status: 'sent',
      removedBy: s.comms.id,
      removedReason: 'Sent to the wrong parent',
    });
    await expectAuditEntry(t.db, {
      action: 'response.removed',
      subjectId: responseId,
      actorId: s.comms.id,
      details: { reason: 'Sent to the wrong parent', externalId },
    });
    const again = await call(s.comms.id, 'POST', `/api/responses/${responseId}/remove`, {
      reason: 'Sent to the wrong parent',
    });
    expect(again.statusCode).toBe(409);

    const page = await api.app.inject({
      method: 'GET',
      url: `/comments/${c.id}`,
      headers: (await signIn(t.db, s.comms.id)).headers,
    });
    expect(page.body).toContain('Removed from the platform');
    expect(page.body).toContain('Sent to the wrong parent');

    const other = await scene();
    const outsider = await call(other.comms.id, 'POST', `/api/responses/${responseId}/remove`, {
      reason: 'Not mine to remove',
    });
    expect(outsider.statusCode).toBe(404);
    const pending = await reply(s.comms.id, (await s.comment('Exclusion?')).id, {
      text: 'We will talk about the exclusion privately.',
    });
    const notSent = await call(s.comms.id, 'POST', `/api/responses/${pending.json().responseId}/remove`, {
      reason: 'Sent in error',
    });
    expect(notSent.statusCode).toBe(409);
  });
});
