import { eq } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../../config/load-config.js';
import { comments, quarantinedItems, socialAccounts } from '../../../db/schema/index.js';
import { type Sandbox, startSandbox } from '../../../sandbox/server.js';
import { sealCredentials } from '../../../services/accounts/account-credentials.js';
import { systemContext } from '../../../services/core/service-context.js';
import { type PollDeps, pollAccount } from '../../../services/ingestion/poll-account.js';
import { createAdapterFactory } from '../../../services/platforms/create-adapter-factory.js';
import { createAccount, createSchool, createUser } from '../../helpers/factories.js';
import { metaTestEnv, testConfig } from '../../helpers/test-config.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';

const META_ENV = metaTestEnv('http://placeholder');
let t: TestDatabase;
let sandbox: Sandbox;
let config: Config;
let schoolId: string;
let trustId: string;
let n = 0;

beforeAll(async () => {
  t = await createTestDatabase();
  sandbox = await startSandbox({
    port: 0,
    host: '127.0.0.1',
    meta: { app: { id: META_ENV.META_APP_ID!, secret: META_ENV.META_APP_SECRET! } },
  });
  config = testConfig(metaTestEnv(sandbox.url));
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
  sandbox.meta.usage.reset();
});

/** The adapters as the composition root builds them, against the sandbox over a socket. */

function deps(overrides: Partial<PollDeps> = {}): PollDeps & { enqueued: string[] } {
  const enqueued: string[] = [];
  return {
    encryptionKey: config.encryptionKey,
    adapterFor: createAdapterFactory(config),
    onInserted: async (ids) => {
      enqueued.push(...ids);
    },
    enqueued,
    ...overrides,
  };
}
const ctx = () => systemContext(t.db, 'test poller');

async function connectedPage() {
  n += 1;
  const m = sandbox.meta.state;
  const page = m.createPage({
    name: `School ${n}`,
    admins: [`Head ${n}`],
    instagram: { username: `school_${n}` },
  });
  const token = m.issuePageToken(page.id).token;
  const admin = await createUser(t.db, { trustId, roles: [{ schoolId, role: 'comms' }] });
  const credentialsEncrypted = sealCredentials(config.encryptionKey, { accessToken: token });
  const fb = await createAccount(t.db, {
    schoolId,
    platform: 'facebook',
    platformUserId: page.id,
    handle: page.name,
    credentialsEncrypted,
    adminIds: [admin.id],
  });
  const ig = await createAccount(t.db, {
    schoolId,
    platform: 'instagram',
    platformUserId: page.igUserId!,
    handle: `school_${n}`,
    credentialsEncrypted,
    adminIds: [admin.id],
  });
  return { page, token, fb, ig };
}

async function rowsFor(accountId: string) {
  return t.db.select().from(comments).where(eq(comments.accountId, accountId)).orderBy(comments.postedAt);
}
async function accountRow(id: string) {
  const [row] = await t.db.select().from(socialAccounts).where(eq(socialAccounts.id, id));
  return row!;
}

describe('Facebook Page poll against the Graph sandbox', () => {
  it("stores people's comments and replies (not the Page's own), and a second poll only the new ones", async () => {
    const { page, fb } = await connectedPage();
    const m = sandbox.meta.state;
    const post = m.createPost({ page: page.id, message: 'Sports day' });
    const c1 = m.addComment({ on: post.id, from: 'Pat Parent', message: 'Is it still on?' });
    const r1 = m.addComment({ on: c1.id, from: 'Sam Smith', message: 'Yes!' });
    m.addComment({ on: post.id, from: page.id, message: 'See you there' });
    const visitor = m.createPost({ page: page.id, from: 'Val Visitor', message: 'Lost a coat' });
    const v1 = m.addComment({ on: visitor.id, from: 'Pat Parent', message: 'Blue one?' });

    const first = await pollAccount(ctx(), { accountId: fb.id }, deps());
    expect(first).toMatchObject({ status: 'polled', inserted: 3 });
    const rows = await rowsFor(fb.id);
    expect(rows.map((r) => [r.externalId, r.inReplyToExternalId, r.authorName, r.text]).sort()).toEqual(
      [
        [c1.id, post.id, 'Pat Parent', 'Is it still on?'],
        [r1.id, c1.id, 'Sam Smith', 'Yes!'],
        [v1.id, visitor.id, 'Pat Parent', 'Blue one?'],
      ].sort(),
    );
    expect((await accountRow(fb.id)).cursor).toMatchObject({ v: 1, walk: null, since: expect.any(Number) });

    const c2 = m.addComment({ on: post.id, from: 'Lee Late', message: 'What time?' });
    const second = await pollAccount(ctx(), { accountId: fb.id }, deps());
    expect(second).toMatchObject({ status: 'polled', inserted: 1 });
    expect((await rowsFor(fb.id)).map((r) => r.externalId)).toContain(c2.id);
    expect(await rowsFor(fb.id)).toHaveLength(4);
  });

  it('a later poll reads only posts with new activity (updated_time), including an older post', async () => {
    const { page, fb } = await connectedPage();
    const m = sandbox.meta.state;
    const day = 24 * 60 * 60_000;
    const old = m.createPost({
      page: page.id,
      message: 'Term dates',
      createdAt: new Date(Date.now() - 3 * day),
    });
    const quiet = m.createPost({ page: page.id, message: 'Menu', createdAt: new Date(Date.now() - 2 * day) });
    m.addComment({
      on: quiet.id,
      from: 'Early Bird',
      message: 'yum',
      createdAt: new Date(Date.now() - 2 * day),
    });
    expect(await pollAccount(ctx(), { accountId: fb.id }, deps())).toMatchObject({ inserted: 1 });

    const before = m.requestsTo('GET /{post-id}/comments').length;
    const late = m.addComment({ on: old.id, from: 'Late Parent', message: 'Is half term a week?' });
    expect(await pollAccount(ctx(), { accountId: fb.id }, deps())).toMatchObject({ inserted: 1 });
    expect((await rowsFor(fb.id)).map((r) => r.externalId)).toContain(late.id);
    // Only the post with new activity was read: the quiet one was skipped.
    expect(m.requestsTo('GET /{post-id}/comments').length - before).toBe(1);
  });

  it('a comment whose author fails validation is quarantined alone; the rest of the page is stored', async () => {
    const { page, fb } = await connectedPage();
    const m = sandbox.meta.state;
    const post = m.createPost({ page: page.id, message: 'Open day' });
    const bad = m.addComment({ on: post.id, from: 'N'.repeat(600), message: 'hi' });
    const good = m.addComment({ on: post.id, from: 'Pat Parent', message: 'Lovely' });
    const result = await pollAccount(ctx(), { accountId: fb.id }, deps());
    expect(result).toMatchObject({ status: 'polled', inserted: 1, quarantined: 1 });
    expect((await rowsFor(fb.id)).map((r) => r.externalId)).toEqual([good.id]);
    const kept = await t.db.select().from(quarantinedItems).where(eq(quarantinedItems.accountId, fb.id));
    expect(kept).toEqual([
      expect.objectContaining({ externalId: bad.id, reason: expect.stringContaining('from.name') }),
    ]);
  });

  it('a revoked Page token marks the account needs_reauth and tells its admins', async () => {
    const { token, fb } = await connectedPage();
    sandbox.meta.state.revoke({ token });
    const result = await pollAccount(ctx(), { accountId: fb.id }, deps());
    expect(result).toMatchObject({ status: 'failed', kind: 'auth' });
    expect((await accountRow(fb.id)).credentialStatus).toBe('needs_reauth');
  });

  it('throttling slows the poll: it stops before the limit, waits it out, and does not spin', async () => {
    const { page, fb } = await connectedPage();
    const m = sandbox.meta.state;
    for (let i = 0; i < 12; i += 1) {
      const post = m.createPost({ page: page.id, message: `Post ${i}` });
      m.addComment({ on: post.id, from: `Parent ${i}`, message: `comment ${i}` });
    }
    // Ten Page calls an hour: the Page usage header passes 80% within the first poll.
    sandbox.meta.usage.set({ page: 10 });
    const first = await pollAccount(ctx(), { accountId: fb.id }, deps());
    expect(first.status === 'polled' || first.status === 'rate_limited').toBe(true);
    const after = await accountRow(fb.id);
    expect(after.rateLimitedUntil?.getTime()).toBeGreaterThan(Date.now());
    // Some comments stored, the walk remembered, not every post read.
    expect((await rowsFor(fb.id)).length).toBeLessThan(12);
    expect(after.cursor).toMatchObject({ walk: { done: expect.any(Array) } });

    const calls = m.requestsTo('GET /{post-id}/comments').length;
    const again = await pollAccount(ctx(), { accountId: fb.id }, deps());
    expect(again.status).toBe('rate_limited');
    expect(m.requestsTo('GET /{post-id}/comments').length).toBe(calls);

    // When the wait is over the walk resumes where it stopped and finishes.
    sandbox.meta.usage.reset();
    sandbox.meta.usage.set({ page: 1000 });
    await t.db.update(socialAccounts).set({ rateLimitedUntil: null }).where(eq(socialAccounts.id, fb.id));
    for (let i = 0; i < 5; i += 1) {
      const r = await pollAccount(ctx(), { accountId: fb.id }, deps());
      if (r.status === 'polled' && !r.more && (await accountRow(fb.id)).cursor?.walk === null) break;
    }
    expect(await rowsFor(fb.id)).toHaveLength(12);
  });

  it('a Graph throttling error code waits until the account may poll again', async () => {
    const { page, fb } = await connectedPage();
    sandbox.meta.state.createPost({ page: page.id, message: 'x' });
    sandbox.meta.faults.add({ code: 613 });
    const result = await pollAccount(ctx(), { accountId: fb.id }, deps());
    expect(result.status).toBe('rate_limited');
    expect((await accountRow(fb.id)).rateLimitedUntil?.getTime()).toBeGreaterThan(Date.now());
  });
});

describe('Instagram poll against the Graph sandbox', () => {
  it('stores comments and nested replies on the account media, not its own', async () => {
    const { ig } = await connectedPage();
    const m = sandbox.meta.state;
    const media = m.createMedia({ owner: ig.handle, caption: 'Trip' });
    const c = m.addIgComment({ on: media.id, from: 'mum_of_two', text: 'lovely' });
    const r = m.addIgComment({ on: c.id, from: 'dad_of_one', text: 'agreed' });
    m.addIgComment({ on: c.id, from: ig.handle, text: 'thank you' });
    const result = await pollAccount(ctx(), { accountId: ig.id }, deps());
    expect(result).toMatchObject({ status: 'polled', inserted: 2 });
    const rows = await rowsFor(ig.id);
    expect(rows.map((row) => [row.externalId, row.inReplyToExternalId, row.authorHandle]).sort()).toEqual(
      [
        [c.id, media.id, 'mum_of_two'],
        [r.id, c.id, 'dad_of_one'],
      ].sort(),
    );
    expect(await pollAccount(ctx(), { accountId: ig.id }, deps())).toMatchObject({ inserted: 0 });
  });
});
