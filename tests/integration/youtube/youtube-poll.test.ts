import { eq } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../../config/load-config.js';
import { comments, quarantinedItems, socialAccounts } from '../../../db/schema/index.js';
import { type Sandbox, startSandbox } from '../../../sandbox/server.js';
import { openCredentials, sealCredentials } from '../../../services/accounts/account-credentials.js';
import { accountQuotaPlan, addQuotaUnits, quotaUsedToday } from '../../../services/accounts/account-quota.js';
import { systemContext } from '../../../services/core/service-context.js';
import { type PollDeps, pollAccount } from '../../../services/ingestion/poll-account.js';
import { createAdapterFactory } from '../../../services/platforms/create-adapter-factory.js';
import { nextPacificMidnight } from '../../../services/platforms/youtube/youtube-quota.js';
import { createAccount, createSchool, createUser } from '../../helpers/factories.js';
import { testConfig, youtubeTestEnv } from '../../helpers/test-config.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';

// The YouTube adapter as the composition root builds it (@googleapis/youtube with
// google-auth-library, pointed at the sandbox over a socket), polled through pollAccount into a
// real Postgres.

let t: TestDatabase;
let sandbox: Sandbox;
let config: Config;
let schoolId: string;
let trustId: string;
let n = 0;

beforeAll(async () => {
  t = await createTestDatabase();
  sandbox = await startSandbox({ port: 0, host: '127.0.0.1' });
  config = testConfig(youtubeTestEnv(sandbox.url));
  const school = await createSchool(t.db);
  schoolId = school.id;
  trustId = school.trustId;
});
afterAll(async () => {
  await sandbox?.close();
  await t.drop();
});
afterEach(() => {
  sandbox.faults.reset();
  sandbox.youtube.faults.reset();
  sandbox.youtube.state.quota.resetDay();
  sandbox.youtube.state.quota.set({ project: sandbox.youtube.state.client.id, limit: 10_000 });
});

function deps(overrides: Partial<PollDeps> = {}): PollDeps {
  return {
    encryptionKey: config.encryptionKey,
    adapterFor: createAdapterFactory(config),
    onInserted: async () => {},
    ...overrides,
  };
}
const ctx = () => systemContext(t.db, 'test poller');

async function connectedChannel(options: { ttlSeconds?: number } = {}) {
  n += 1;
  const y = sandbox.youtube.state;
  const channel = y.createChannel({ title: `Oakfield ${n}`, handle: `@oakfield${n}`, owner: `Head ${n}` });
  const video = y.createVideo({ channel: channel.id, title: 'Nativity play' });
  const { access, refresh } = y.issueTokens({
    channel: channel.id,
    ...(options.ttlSeconds === undefined ? {} : { ttlSeconds: options.ttlSeconds }),
  });
  const admin = await createUser(t.db, { trustId, roles: [{ schoolId, role: 'comms' }] });
  const account = await createAccount(t.db, {
    schoolId,
    platform: 'youtube',
    platformUserId: channel.id,
    handle: channel.handle.slice(1),
    credentialsEncrypted: sealCredentials(config.encryptionKey, {
      accessToken: access.token,
      refreshToken: refresh.token,
      expiresAt: new Date(access.expiresAt),
    }),
    adminIds: [admin.id],
  });
  return { channel, video, account, refresh };
}

async function rowsFor(accountId: string) {
  return t.db.select().from(comments).where(eq(comments.accountId, accountId)).orderBy(comments.postedAt);
}
async function accountRow(id: string) {
  const [row] = await t.db.select().from(socialAccounts).where(eq(socialAccounts.id, id));
  return row!;
}

describe('YouTube poll against the Data API sandbox', () => {
  it('stores threads, replies and comments held for review, each exactly once across polls', async () => {
    const { video, account } = await connectedChannel();
    const y = sandbox.youtube.state;
    const top = y.addComment({ on: video.id, from: 'Pat Parent', text: 'Wonderful <b>show</b> & songs' });
    const reply = y.addComment({ on: top.id, from: 'Sam Smith', text: 'Agreed!' });
    const held = y.addComment({
      on: video.id,
      from: 'Spam Bot',
      text: 'visit www.example.test',
      moderationStatus: 'heldForReview',
    });

    const first = await pollAccount(ctx(), { accountId: account.id }, deps());
    expect(first).toMatchObject({ status: 'polled', inserted: 3 });
    const rows = await rowsFor(account.id);
    expect(rows.map((r) => [r.externalId, r.inReplyToExternalId, r.authorName, r.text]).sort()).toEqual(
      [
        [top.id, video.id, '@patparent', 'Wonderful <b>show</b> & songs'],
        [reply.id, top.id, '@samsmith', 'Agreed!'],
        [held.id, video.id, '@spambot', 'visit www.example.test'],
      ].sort(),
    );
    expect(rows.find((r) => r.externalId === top.id)?.url).toBe(
      `https://www.youtube.com/watch?v=${video.id}&lc=${top.id}`,
    );

    // Nothing new: nothing stored, and the idle poll cost three units (published and held lists,
    // and one comments.list reading back the comment still held).
    const before = y.quota.snapshot(y.client.id).used;
    expect(await pollAccount(ctx(), { accountId: account.id }, deps())).toMatchObject({ inserted: 0 });
    expect(y.quota.snapshot(y.client.id).used - before).toBe(3);

    const late = y.addComment({ on: top.id, from: 'Lee Late', text: 'What time does it start?' });
    expect(await pollAccount(ctx(), { accountId: account.id }, deps())).toMatchObject({ inserted: 1 });
    expect((await rowsFor(account.id)).map((r) => r.externalId)).toContain(late.id);
    expect(await rowsFor(account.id)).toHaveLength(4);
  });

  it('reads every reply of a busy thread through comments.list, only when its count changed', async () => {
    const { video, account } = await connectedChannel();
    const y = sandbox.youtube.state;
    const top = y.addComment({ on: video.id, from: 'Pat Parent', text: 'Is the car park open?' });
    const replies = Array.from({ length: 8 }, (_, i) =>
      y.addComment({ on: top.id, from: `Parent ${i}`, text: `reply ${i}` }),
    );
    expect(await pollAccount(ctx(), { accountId: account.id }, deps())).toMatchObject({ inserted: 9 });
    expect((await rowsFor(account.id)).map((r) => r.externalId).sort()).toEqual(
      [top.id, ...replies.map((r) => r.id)].sort(),
    );
    const listed = () => y.requestLog.requestsTo('comments.list').length;
    const calls = listed();
    await pollAccount(ctx(), { accountId: account.id }, deps());
    expect(listed()).toBe(calls);
    const ninth = y.addComment({ on: top.id, from: 'Parent 9', text: 'reply 9' });
    expect(await pollAccount(ctx(), { accountId: account.id }, deps())).toMatchObject({ inserted: 1 });
    expect(listed()).toBe(calls + 1);
    expect((await rowsFor(account.id)).map((r) => r.externalId)).toContain(ninth.id);
  });

  it('pages through a long list across a page cap and resumes where it stopped', async () => {
    const { video, account } = await connectedChannel();
    const y = sandbox.youtube.state;
    const made = Array.from({ length: 230 }, (_, i) =>
      y.addComment({ on: video.id, from: `Parent ${i % 20}`, text: `comment ${i}` }),
    );
    const first = await pollAccount(ctx(), { accountId: account.id }, deps({ maxPages: 2 }));
    expect(first).toMatchObject({ status: 'polled', inserted: 200, more: true });
    expect((await accountRow(account.id)).cursor).toMatchObject({
      walk: { list: 'published', pageToken: expect.any(String) },
    });
    await pollAccount(ctx(), { accountId: account.id }, deps({ maxPages: 2 }));
    const ids = (await rowsFor(account.id)).map((r) => r.externalId);
    expect(new Set(ids).size).toBe(230);
    expect(ids.sort()).toEqual(made.map((c) => c.id).sort());
  });

  it('quarantines a malformed comment alone; the rest of the page is stored', async () => {
    const { video, account } = await connectedChannel();
    const y = sandbox.youtube.state;
    const bad = y.addComment({ on: video.id, from: 'Broken', text: 'hi', brokenFields: ['publishedAt'] });
    const good = y.addComment({ on: video.id, from: 'Pat Parent', text: 'Lovely' });
    const result = await pollAccount(ctx(), { accountId: account.id }, deps());
    expect(result).toMatchObject({ status: 'polled', inserted: 1, quarantined: 1 });
    expect((await rowsFor(account.id)).map((r) => r.externalId)).toEqual([good.id]);
    const kept = await t.db.select().from(quarantinedItems).where(eq(quarantinedItems.accountId, account.id));
    expect(kept).toEqual([
      expect.objectContaining({ externalId: bad.id, reason: expect.stringContaining('publishedAt') }),
    ]);
  });

  it('a body cut short fails the poll as malformed and stores nothing; the next poll recovers', async () => {
    const { video, account } = await connectedChannel();
    const c = sandbox.youtube.state.addComment({ on: video.id, from: 'Pat Parent', text: 'Hello' });
    sandbox.faults.set({ malformedJson: { count: 1, endpoint: 'commentThreads' } });
    const failed = await pollAccount(ctx(), { accountId: account.id }, deps());
    expect(failed).toMatchObject({ status: 'failed', kind: 'malformed' });
    expect(await rowsFor(account.id)).toHaveLength(0);
    expect(await pollAccount(ctx(), { accountId: account.id }, deps())).toMatchObject({ inserted: 1 });
    expect((await rowsFor(account.id)).map((r) => r.externalId)).toEqual([c.id]);
  });

  it('a spent quota waits for midnight Pacific, says so, and the next day stores what came meanwhile', async () => {
    const { video, account } = await connectedChannel();
    const y = sandbox.youtube.state;
    y.quota.set({ project: y.client.id, limit: 10_000, used: 10_000 });
    const c = y.addComment({ on: video.id, from: 'Pat Parent', text: 'Hello' });
    const result = await pollAccount(ctx(), { accountId: account.id }, deps());
    const midnight = nextPacificMidnight(Date.now());
    expect(result).toEqual({ status: 'rate_limited', until: midnight });
    expect((await accountRow(account.id)).rateLimitedUntil?.toISOString()).toBe(midnight.toISOString());
    // Asking again before then does not call YouTube.
    const calls = y.requestLog.requestsTo('commentThreads.list').length;
    expect(await pollAccount(ctx(), { accountId: account.id }, deps())).toMatchObject({
      status: 'rate_limited',
    });
    expect(y.requestLog.requestsTo('commentThreads.list').length).toBe(calls);

    // Midnight Pacific: the quota is back.
    y.quota.resetDay();
    await t.db
      .update(socialAccounts)
      .set({ rateLimitedUntil: new Date(Date.now() - 1000) })
      .where(eq(socialAccounts.id, account.id));
    expect(await pollAccount(ctx(), { accountId: account.id }, deps())).toMatchObject({
      status: 'polled',
      inserted: 1,
    });
    expect((await rowsFor(account.id)).map((r) => r.externalId)).toEqual([c.id]);
  });

  it('refreshes an expiring access token, storing the new one before using it', async () => {
    const { video, account } = await connectedChannel({ ttlSeconds: 30 });
    sandbox.youtube.state.addComment({ on: video.id, from: 'Pat Parent', text: 'Hello' });
    const before = openCredentials(
      config.encryptionKey,
      (await accountRow(account.id)).credentialsEncrypted!,
    );
    expect(await pollAccount(ctx(), { accountId: account.id }, deps())).toMatchObject({ inserted: 1 });
    const after = openCredentials(config.encryptionKey, (await accountRow(account.id)).credentialsEncrypted!);
    expect(after.accessToken).not.toBe(before.accessToken);
    expect(after.refreshToken).toBe(before.refreshToken);
    expect(sandbox.youtube.state.accessRecord(after.accessToken)).not.toBeNull();
  });

  it('a revoked grant marks the account needs_reauth', async () => {
    const { channel, account } = await connectedChannel({ ttlSeconds: 30 });
    sandbox.youtube.state.revoke({ channel: channel.id });
    const result = await pollAccount(ctx(), { accountId: account.id }, deps());
    expect(result).toMatchObject({ status: 'failed', kind: 'auth' });
    expect((await accountRow(account.id)).credentialStatus).toBe('needs_reauth');
  });

  it("records each poll's units and stops polling at the moderation reserve until the reset", async () => {
    const { video, account } = await connectedChannel();
    const quota = { dailyQuota: 10_000, reservePercent: 30, minIntervalSeconds: 1 };
    expect(await pollAccount(ctx(), { accountId: account.id }, deps({ unitQuota: quota }))).toMatchObject({
      status: 'polled',
    });
    expect(await quotaUsedToday(t.db, account.id)).toBe(2);

    // Spend the rest of the account's polling share: the next poll waits for midnight Pacific.
    const plan = await accountQuotaPlan(t.db, account.id, quota);
    await addQuotaUnits(t.db, account.id, plan.pollUnitsLeft);
    sandbox.youtube.state.addComment({ on: video.id, from: 'Pat Parent', text: 'Hello' });
    const calls = sandbox.youtube.state.requestLog.requestsTo('commentThreads.list').length;
    const skipped = await pollAccount(ctx(), { accountId: account.id }, deps({ unitQuota: quota }));
    expect(skipped).toEqual({ status: 'skipped', reason: 'quota', until: nextPacificMidnight(Date.now()) });
    expect(sandbox.youtube.state.requestLog.requestsTo('commentThreads.list').length).toBe(calls);
    expect((await accountQuotaPlan(t.db, account.id, quota)).pollingPaused).toBe(true);
  });
});
