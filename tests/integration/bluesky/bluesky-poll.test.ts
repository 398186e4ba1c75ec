import { and, eq } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../../config/load-config.js';
import {
  auditEntries,
  comments,
  notifications,
  quarantinedItems,
  socialAccounts,
} from '../../../db/schema/index.js';
import { type Sandbox, startSandbox } from '../../../sandbox/server.js';
import { openCredentials, sealCredentials } from '../../../services/accounts/account-credentials.js';
import { systemContext } from '../../../services/core/service-context.js';
import { type PollDeps, pollAccount } from '../../../services/ingestion/poll-account.js';
import { signInWithAppPassword } from '../../../services/platforms/bluesky/index.js';
import { createAdapterFactory } from '../../../services/platforms/create-adapter-factory.js';
import { createAccount, createSchool, createUser } from '../../helpers/factories.js';
import { testConfig } from '../../helpers/test-config.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';

// A Bluesky account polled through the real poll path (Postgres, the adapter factory, the
// adapter, @atproto/api) against the XRPC sandbox: exactly once across polls, a malformed item
// quarantined alone, a refreshed session stored, a revoked app password marking the account
// needs_reauth and telling its admins, a 429 remembered on the account.

let t: TestDatabase;
let sandbox: Sandbox;
let config: Config;
let schoolId: string;
let trustId: string;
let n = 0;

beforeAll(async () => {
  t = await createTestDatabase();
  sandbox = await startSandbox({ port: 0, host: '127.0.0.1' });
  config = testConfig({ BLUESKY_SERVICE_URL: sandbox.bluesky.serviceUrl });
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
  sandbox.bluesky.rateLimits.reset();
});

function deps(): PollDeps & { enqueued: string[] } {
  const enqueued: string[] = [];
  return {
    encryptionKey: config.encryptionKey,
    adapterFor: createAdapterFactory(config),
    onInserted: async (ids) => {
      enqueued.push(...ids);
    },
    enqueued,
  };
}
const ctx = () => systemContext(t.db, 'test poller');

async function connected() {
  n += 1;
  const b = sandbox.bluesky.state;
  const handle = `pollschool${n}.bsky.social`;
  const { actor, appPassword } = b.addActor({ handle, appPassword: '' });
  const parent = b.addActor({ handle: `pollparent${n}.bsky.social`, displayName: `Pat ${n}` }).actor;
  const signedIn = await signInWithAppPassword(sandbox.bluesky.serviceUrl, handle, appPassword!);
  const admin = await createUser(t.db, { trustId, roles: [{ schoolId, role: 'comms' }] });
  const account = await createAccount(t.db, {
    schoolId,
    platform: 'bluesky',
    platformUserId: actor.did,
    handle,
    credentialsEncrypted: sealCredentials(config.encryptionKey, signedIn.credentials),
    adminIds: [admin.id],
  });
  const root = b.post({ author: handle, text: 'Harvest festival on Friday' });
  return { b, actor, appPassword: appPassword!, parent, account, admin, root, handle };
}

const rowsFor = (accountId: string) =>
  t.db.select().from(comments).where(eq(comments.accountId, accountId)).orderBy(comments.postedAt);
async function accountRow(id: string) {
  const [row] = await t.db.select().from(socialAccounts).where(eq(socialAccounts.id, id));
  return row!;
}

describe('Bluesky poll against the XRPC sandbox', () => {
  it('stores replies, mentions and quotes once, across polls and a walk cut by maxPages', async () => {
    const { b, parent, account, root, handle } = await connected();
    const reply = b.post({ author: parent.handle, text: 'What time does it start?', replyTo: root.uri });
    b.post({ author: parent.handle, text: `@${handle} can we bring produce?` });
    b.post({ author: parent.handle, text: 'Lovely idea', quote: root.uri });
    b.post({ author: handle, text: 'At two o’clock', replyTo: reply.uri });

    const first = await pollAccount(ctx(), { accountId: account.id }, deps());
    expect(first).toMatchObject({ status: 'polled', inserted: 3 });
    const rows = await rowsFor(account.id);
    expect(rows.find((r) => r.externalId === reply.uri)).toMatchObject({
      authorHandle: parent.handle,
      authorName: `Pat ${n}`,
      text: 'What time does it start?',
      inReplyToExternalId: root.uri,
    });

    expect(await pollAccount(ctx(), { accountId: account.id }, deps())).toMatchObject({
      status: 'polled',
      inserted: 0,
    });

    for (let i = 0; i < 25; i += 1)
      b.post({ author: parent.handle, text: `Question ${i}`, replyTo: root.uri });
    const cut = await pollAccount(ctx(), { accountId: account.id }, { ...deps(), maxPages: 1 });
    expect(cut).toMatchObject({ status: 'polled', inserted: 10 });
    const rest = await pollAccount(ctx(), { accountId: account.id }, deps());
    expect(rest).toMatchObject({ status: 'polled', inserted: 15 });
    const all = await rowsFor(account.id);
    expect(all).toHaveLength(28);
    expect(new Set(all.map((r) => r.externalId)).size).toBe(28);
  });

  it('quarantines a malformed notification alone and stores the good ones', async () => {
    const { b, parent, account, actor, root } = await connected();
    const good = b.post({ author: parent.handle, text: 'Good', replyTo: root.uri });
    // A post whose record has no text (anyone can write anything into their own repository).
    const bad = b.post({ author: parent.handle, text: 'placeholder' });
    b.addNotification({
      recipient: actor.did,
      uri: bad.uri,
      reason: 'mention',
      raw: { record: { $type: 'app.bsky.feed.post', createdAt: new Date().toISOString() } },
    });
    const result = await pollAccount(ctx(), { accountId: account.id }, deps());
    expect(result).toMatchObject({ status: 'polled', inserted: 1, quarantined: 1 });
    expect((await rowsFor(account.id)).map((r) => r.externalId)).toEqual([good.uri]);
    const [item] = await t.db
      .select()
      .from(quarantinedItems)
      .where(eq(quarantinedItems.accountId, account.id));
    expect(item?.externalId).toBe(bad.uri);
    expect(item?.reason).toMatch(/record\.text/);
  });

  it('an expired session is refreshed and the new tokens stored before the poll goes on', async () => {
    const { b, parent, account, actor, root, appPassword } = await connected();
    b.post({ author: parent.handle, text: 'After two hours', replyTo: root.uri });
    const before = openCredentials(
      config.encryptionKey,
      (await accountRow(account.id)).credentialsEncrypted!,
    );
    b.expireAccessTokens(actor.did);
    expect(await pollAccount(ctx(), { accountId: account.id }, deps())).toMatchObject({ inserted: 1 });
    const after = openCredentials(config.encryptionKey, (await accountRow(account.id)).credentialsEncrypted!);
    expect(after.accessToken).not.toBe(before.accessToken);
    expect(after.refreshToken).not.toBe(before.refreshToken);
    expect(after.secret).toBe(appPassword);
    const audited = await t.db
      .select()
      .from(auditEntries)
      .where(
        and(eq(auditEntries.subjectId, account.id), eq(auditEntries.action, 'account.credentials_refreshed')),
      );
    expect(audited).toHaveLength(1);
  });

  it('a revoked app password marks the account needs_reauth and tells its admins; polling stops', async () => {
    const { b, account, actor, admin, appPassword } = await connected();
    b.revokeAppPassword(actor, appPassword);
    const result = await pollAccount(ctx(), { accountId: account.id }, deps());
    expect(result).toMatchObject({ status: 'failed', kind: 'auth' });
    expect((await accountRow(account.id)).credentialStatus).toBe('needs_reauth');
    const told = await t.db
      .select()
      .from(notifications)
      .where(and(eq(notifications.userId, admin.id), eq(notifications.event, 'account.needs_reauth')));
    expect(told).toHaveLength(1);
    const calls = b.requestLog.entries.length;
    expect(await pollAccount(ctx(), { accountId: account.id }, deps())).toMatchObject({
      status: 'skipped',
      reason: 'needs_reauth',
    });
    expect(b.requestLog.entries.length).toBe(calls);
  });

  it('a 429 is remembered on the account until RateLimit-Reset: the next poll does not call', async () => {
    const { b, account } = await connected();
    sandbox.faults.set({ rateLimitNext: { count: 1, endpoint: 'listNotifications', resetInSeconds: 600 } });
    const result = await pollAccount(ctx(), { accountId: account.id }, deps());
    expect(result).toMatchObject({ status: 'rate_limited' });
    const until = (await accountRow(account.id)).rateLimitedUntil!;
    expect(until.getTime()).toBeGreaterThan(Date.now() + 500_000);
    const calls = b.requestLog.entries.length;
    expect(await pollAccount(ctx(), { accountId: account.id }, deps())).toMatchObject({
      status: 'rate_limited',
    });
    expect(b.requestLog.entries.length).toBe(calls);
  });
});
