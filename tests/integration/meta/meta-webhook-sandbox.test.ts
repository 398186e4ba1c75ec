import { eq } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { comments, socialAccounts } from '../../../db/schema/index.js';
import { type Sandbox, startSandbox } from '../../../sandbox/server.js';
import { sealCredentials } from '../../../services/accounts/account-credentials.js';
import { systemContext } from '../../../services/core/service-context.js';
import { ingestMention } from '../../../services/ingestion/ingest-mention.js';
import { pollAccount } from '../../../services/ingestion/poll-account.js';
import { createAdapterFactory } from '../../../services/platforms/create-adapter-factory.js';
import { buildTestApp, type TestApp } from '../../helpers/build-test-app.js';
import { createAccount, createSchool, createUser } from '../../helpers/factories.js';
import { signIn } from '../../helpers/sign-in.js';
import { metaTestEnv } from '../../helpers/test-config.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';
import { clearRedisPrefix } from '../../helpers/test-redis.js';

// The sandbox delivers signed webhooks over a socket to the real app; the poll reads the same
// sandbox. Together they must store each comment exactly once.

const META_ENV = metaTestEnv('http://placeholder');
let t: TestDatabase;
let sandbox: Sandbox;
let api: TestApp;
let callbackUrl: string;
let n = 0;

beforeAll(async () => {
  t = await createTestDatabase();
  sandbox = await startSandbox({
    port: 0,
    host: '127.0.0.1',
    meta: { app: { id: META_ENV.META_APP_ID!, secret: META_ENV.META_APP_SECRET! } },
  });
  api = await buildTestApp(t.db, { configOverrides: metaTestEnv(sandbox.url) });
  const address = await api.app.listen({ port: 0, host: '127.0.0.1' });
  callbackUrl = `${address}/webhooks/meta`;
});
afterAll(async () => {
  await clearRedisPrefix(api.config.redisPrefix);
  await api.close();
  await sandbox.close();
  await t.drop();
});
beforeEach(() => {
  sandbox.meta.webhooks.reset();
  sandbox.meta.webhooks.configure({ callbackUrl, verifyToken: META_ENV.META_WEBHOOK_VERIFY_TOKEN! });
});
afterEach(() => sandbox.faults.reset());

const poll = (accountId: string) =>
  pollAccount(
    systemContext(t.db, 'test poller'),
    { accountId },
    {
      encryptionKey: api.config.encryptionKey,
      adapterFor: createAdapterFactory(api.config),
      onInserted: async () => {},
    },
  );

async function connected() {
  n += 1;
  const m = sandbox.meta.state;
  const school = await createSchool(t.db);
  const page = m.createPage({
    name: `Hook School ${n}`,
    admins: [`Head ${n}`],
    instagram: { username: `hook_${n}` },
  });
  const credentialsEncrypted = sealCredentials(api.config.encryptionKey, {
    accessToken: m.issuePageToken(page.id).token,
  });
  const fb = await createAccount(t.db, {
    schoolId: school.id,
    platform: 'facebook',
    platformUserId: page.id,
    handle: page.name,
    credentialsEncrypted,
  });
  const ig = await createAccount(t.db, {
    schoolId: school.id,
    platform: 'instagram',
    platformUserId: page.igUserId!,
    handle: `hook_${n}`,
    credentialsEncrypted,
  });
  return { school, page, fb, ig };
}

const externalIds = async (accountId: string) =>
  (await t.db.select().from(comments).where(eq(comments.accountId, accountId)))
    .map((r) => r.externalId)
    .sort();

describe('Meta webhooks from the sandbox to the app', () => {
  it('the subscription handshake succeeds with the configured verify token, and fails with another', async () => {
    expect(await sandbox.meta.webhooks.verify()).toMatchObject({ ok: true, status: 200 });
    sandbox.meta.webhooks.configure({ verifyToken: 'not-the-token-we-configured' });
    expect(await sandbox.meta.webhooks.verify()).toMatchObject({ ok: false, status: 403 });
  });

  it('a comment arrives by webhook; the poll that follows finds it and stores nothing twice', async () => {
    const { page, fb } = await connected();
    const m = sandbox.meta.state;
    const post = m.createPost({ page: page.id, message: 'Trip letter' });
    const c = m.addComment({ on: post.id, from: 'Pat Parent', message: 'Which day?' });
    const r = m.addComment({ on: c.id, from: 'Sam Smith', message: 'Tuesday' });
    await sandbox.meta.webhooks.idle();
    expect(await externalIds(fb.id)).toEqual([c.id, r.id].sort());
    const statuses = sandbox.meta.webhooks.deliveries.map((d) => d.status);
    expect(statuses.length).toBeGreaterThan(0);
    expect(new Set(statuses)).toEqual(new Set([200]));

    expect(await poll(fb.id)).toMatchObject({ status: 'polled', inserted: 0 });
    expect(await externalIds(fb.id)).toEqual([c.id, r.id].sort());
  });

  it('duplicated and reordered deliveries store each comment once', async () => {
    const { page, fb } = await connected();
    const m = sandbox.meta.state;
    sandbox.meta.webhooks.configure({ duplicate: 2, reorder: 3 });
    const post = m.createPost({ page: page.id, message: 'Concert' });
    const a = m.addComment({ on: post.id, from: 'One', message: 'first' });
    const b = m.addComment({ on: a.id, from: 'Two', message: 'reply to first' });
    const c = m.addComment({ on: post.id, from: 'Three', message: 'third' });
    sandbox.meta.webhooks.flush();
    await sandbox.meta.webhooks.idle();
    expect(await externalIds(fb.id)).toEqual([a.id, b.id, c.id].sort());
    const sent = sandbox.meta.webhooks.deliveries.filter((d) => d.status !== null);
    expect(sent.some((d) => d.fault === 'duplicate')).toBe(true);
    expect(sent.some((d) => d.fault === 'reordered')).toBe(true);
  });

  it('a delivery with a bad signature is refused (401) and stores nothing; the poll backstop then finds the comment', async () => {
    const { page, fb } = await connected();
    const m = sandbox.meta.state;
    const post = m.createPost({ page: page.id, message: 'Uniform' });
    sandbox.meta.webhooks.configure({ badSignature: 1 });
    const c = m.addComment({ on: post.id, from: 'Pat Parent', message: 'hostile words' });
    await sandbox.meta.webhooks.idle();
    const bad = sandbox.meta.webhooks.deliveries.filter((d) => d.fault === 'badSignature');
    expect(bad.length).toBeGreaterThan(0);
    expect(bad.every((d) => d.status === 401)).toBe(true);
    expect(await externalIds(fb.id)).toEqual([]);

    expect(await poll(fb.id)).toMatchObject({ status: 'polled', inserted: 1 });
    expect(await externalIds(fb.id)).toEqual([c.id]);
  });

  it('a dropped delivery is reconciled by the poll', async () => {
    const { page, fb } = await connected();
    const m = sandbox.meta.state;
    const post = m.createPost({ page: page.id, message: 'Menu' });
    sandbox.meta.webhooks.configure({ drop: 10 });
    const c = m.addComment({ on: post.id, from: 'Pat Parent', message: 'gone missing' });
    await sandbox.meta.webhooks.idle();
    expect(await externalIds(fb.id)).toEqual([]);
    expect(await poll(fb.id)).toMatchObject({ inserted: 1 });
    expect(await externalIds(fb.id)).toEqual([c.id]);
  });

  it('an Instagram comment arrives by webhook, for the Instagram account only', async () => {
    const { fb, ig } = await connected();
    const m = sandbox.meta.state;
    const media = m.createMedia({ owner: ig.handle, caption: 'Sports' });
    const c = m.addIgComment({ on: media.id, from: 'mum_of_two', text: 'well done' });
    await sandbox.meta.webhooks.idle();
    expect(await externalIds(ig.id)).toEqual([c.id]);
    expect(await externalIds(fb.id)).toEqual([]);
    expect(await poll(ig.id)).toMatchObject({ inserted: 0 });
  });
});

describe('polling is the backstop while webhooks are healthy', () => {
  // What the poll scheduler's tick does: skip while webhooks deliver and the backstop is not due.
  const scheduledPoll = (accountId: string) =>
    pollAccount(
      systemContext(t.db, 'test poller'),
      { accountId },
      {
        encryptionKey: api.config.encryptionKey,
        adapterFor: createAdapterFactory(api.config),
        onInserted: async () => {},
        backstop: api.app.deps.pollIntervals,
      },
    );
  const health = () => api.app.deps.pollIntervals.health;
  const pollLongAgo = (accountId: string, minutes: number) =>
    t.db
      .update(socialAccounts)
      .set({ lastPolledAt: new Date(Date.now() - minutes * 60_000) })
      .where(eq(socialAccounts.id, accountId));
  async function accountPage(accountId: string, school: { id: string; trustId: string }) {
    const user = await createUser(t.db, {
      trustId: school.trustId,
      roles: [{ schoolId: school.id, role: 'senior_leader' }],
    });
    const { headers } = await signIn(t.db, user.id);
    const res = await api.app.inject({ url: `/accounts/${accountId}`, headers });
    expect(res.statusCode).toBe(200);
    return res.body;
  }

  it('a dropped delivery is found by the backstop poll once its longer interval has passed, stored once', async () => {
    const { page, fb } = await connected();
    const m = sandbox.meta.state;
    const post = m.createPost({ page: page.id, message: 'Harvest festival' });
    const first = m.addComment({ on: post.id, from: 'Pat Parent', message: 'What time?' });
    await sandbox.meta.webhooks.idle();
    expect(await externalIds(fb.id)).toEqual([first.id]);
    expect((await health().read()).healthy).toBe(true);
    expect(await scheduledPoll(fb.id)).toMatchObject({ status: 'polled', inserted: 0 });

    sandbox.meta.webhooks.configure({ drop: 10 });
    const lost = m.addComment({ on: post.id, from: 'Sam Smith', message: 'Can grandparents come?' });
    await sandbox.meta.webhooks.idle();
    const dropped = sandbox.meta.webhooks.deliveries.find((d) => d.fault === 'dropped');
    expect(dropped?.status).toBeNull();
    expect(await externalIds(fb.id)).toEqual([first.id]);

    // The next ticks fall inside the 15-minute backstop interval: nothing is asked of Facebook.
    const before = sandbox.meta.state.requestLog.entries.length;
    expect(await scheduledPoll(fb.id)).toEqual({ status: 'skipped', reason: 'webhooks_healthy' });
    expect(sandbox.meta.state.requestLog.entries.length).toBe(before);
    await pollLongAgo(fb.id, 10);
    expect(await scheduledPoll(fb.id)).toEqual({ status: 'skipped', reason: 'webhooks_healthy' });

    await pollLongAgo(fb.id, 15);
    expect(await scheduledPoll(fb.id)).toMatchObject({ status: 'polled', inserted: 1 });
    expect(await externalIds(fb.id)).toEqual([first.id, lost.id].sort());
    // Delivered late after all: still one row.
    sandbox.meta.webhooks.configure({ drop: 0 });
    const late = sandbox.meta.webhooks.deliver(dropped!.object, dropped!.field, JSON.parse(dropped!.body));
    await sandbox.meta.webhooks.idle();
    expect(late.status).toBe(200);
    expect(await externalIds(fb.id)).toEqual([first.id, lost.id].sort());
  });

  it('without a verified delivery for ten minutes, every tick polls, and the account page says which interval is in use', async () => {
    const { school, page, fb } = await connected();
    const m = sandbox.meta.state;
    const post = m.createPost({ page: page.id, message: 'Book fair' });
    m.addComment({ on: post.id, from: 'Pat Parent', message: 'Cards taken?' });
    await sandbox.meta.webhooks.idle();
    const healthyPage = await accountPage(fb.id, school);
    expect(healthyPage).toContain('every 15 minutes, as a backstop: webhook deliveries are arriving');

    await health().recordVerifiedDelivery(new Date(Date.now() - 11 * 60_000));
    await pollLongAgo(fb.id, 1);
    expect(await scheduledPoll(fb.id)).toMatchObject({ status: 'polled' });
    const unhealthyPage = await accountPage(fb.id, school);
    expect(unhealthyPage).toContain(
      'every minute (the default): no webhook delivery in the last 10 minutes, so polling is not relaxed',
    );
  });

  it('a delivery with a bad signature does not count as healthy', async () => {
    const { page } = await connected();
    await health().recordVerifiedDelivery(new Date(Date.now() - 11 * 60_000));
    sandbox.meta.webhooks.configure({ badSignature: 10 });
    const post = sandbox.meta.state.createPost({ page: page.id, message: 'PE kit' });
    sandbox.meta.state.addComment({ on: post.id, from: 'Pat Parent', message: 'which socks?' });
    await sandbox.meta.webhooks.idle();
    expect((await health().read()).healthy).toBe(false);
  });
});

describe('Instagram mentions', () => {
  // The mentions webhook names the comment only: the route queues a fetch-mention job, which reads
  // the comment through the Graph API (mentioned_comment) and stores it for the Instagram account.
  async function runMentionJobs() {
    const jobs = await api.app.queues.poll.getJobs(['waiting', 'delayed', 'prioritized']);
    const mentionJobs = jobs.filter((j) => j.name === 'fetch-mention');
    const results = [];
    for (const job of mentionJobs) {
      results.push(
        await ingestMention(systemContext(t.db, 'test mention reader'), job.data, {
          encryptionKey: api.config.encryptionKey,
          adapterFor: createAdapterFactory(api.config),
          onInserted: async () => {},
        }),
      );
      await job.remove();
    }
    return results;
  }
  const storedRows = async (accountId: string) =>
    t.db.select().from(comments).where(eq(comments.accountId, accountId));

  it('a comment @mentioning the school on someone else’s media is stored for the Instagram account, once', async () => {
    const { fb, ig } = await connected();
    const m = sandbox.meta.state;
    m.createIgActor({ username: `village_hall_${n}` });
    const media = m.createMedia({ owner: `village_hall_${n}`, caption: 'Summer fete' });
    sandbox.meta.webhooks.configure({ duplicate: 2 });
    const c = m.addIgComment({
      on: media.id,
      from: 'nosy_neighbour',
      text: `@${ig.handle} why was the school gate locked?`,
    });
    await sandbox.meta.webhooks.idle();
    const mentionDeliveries = sandbox.meta.webhooks.deliveries.filter((d) => d.field === 'mentions');
    expect(mentionDeliveries.length).toBeGreaterThan(1);
    expect(mentionDeliveries.every((d) => d.status === 200)).toBe(true);
    // The duplicate delivery is the same job.
    expect(await runMentionJobs()).toEqual([{ status: 'stored', inserted: 1, quarantined: 0 }]);

    const rows = await storedRows(ig.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      externalId: c.id,
      conversationId: media.id,
      authorHandle: 'nosy_neighbour',
      text: `@${ig.handle} why was the school gate locked?`,
    });
    expect(await externalIds(fb.id)).toEqual([]);

    // Read again (a retried job) and polled: still one row.
    await ingestMention(
      systemContext(t.db, 'test mention reader'),
      { accountId: ig.id, mediaId: media.id, commentId: c.id },
      {
        encryptionKey: api.config.encryptionKey,
        adapterFor: createAdapterFactory(api.config),
        onInserted: async () => {},
      },
    );
    expect(await poll(ig.id)).toMatchObject({ status: 'polled', inserted: 0 });
    expect(await storedRows(ig.id)).toHaveLength(1);
  });

  it('a mention on the school’s own media arrives once, as a comment, whichever of webhook and poll comes first', async () => {
    const { ig } = await connected();
    const m = sandbox.meta.state;
    const media = m.createMedia({ owner: ig.handle, caption: 'Nativity' });
    sandbox.meta.webhooks.configure({ drop: 10 });
    const c = m.addIgComment({ on: media.id, from: 'proud_gran', text: `@${ig.handle} lovely show` });
    await sandbox.meta.webhooks.idle();
    expect(await poll(ig.id)).toMatchObject({ status: 'polled', inserted: 1 });
    const dropped = sandbox.meta.webhooks.deliveries.find((d) => d.fault === 'dropped')!;
    sandbox.meta.webhooks.configure({ drop: 0 });
    sandbox.meta.webhooks.deliver(dropped.object, dropped.field, JSON.parse(dropped.body));
    await sandbox.meta.webhooks.idle();
    await runMentionJobs();
    expect((await storedRows(ig.id)).map((r) => r.externalId)).toEqual([c.id]);
  });

  it('a mention of a comment deleted before it is read stores nothing and is not retried', async () => {
    const { ig } = await connected();
    const m = sandbox.meta.state;
    m.createIgActor({ username: `cafe_${n}` });
    const media = m.createMedia({ owner: `cafe_${n}`, caption: 'Open day' });
    const c = m.addIgComment({ on: media.id, from: 'passer_by', text: `@${ig.handle} noisy kids` });
    await sandbox.meta.webhooks.idle();
    m.deleteIgComment(c.id);
    expect(await runMentionJobs()).toEqual([{ status: 'skipped', reason: 'gone' }]);
    expect(await storedRows(ig.id)).toEqual([]);
  });
});
