import { eq, sql } from 'drizzle-orm';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../config/load-config.js';
import { comments, pollFailures, socialAccounts } from '../../db/schema/index.js';
import { type Sandbox, startSandbox } from '../../sandbox/server.js';
import { sealCredentials } from '../../services/accounts/account-credentials.js';
import { metrics } from '../../services/core/metrics.js';
import { startWorkerRuntime, type WorkerRuntime } from '../../workers/worker-runtime.js';
import { createAccount, createSchool } from '../helpers/factories.js';
import { metaTestEnv, testConfig } from '../helpers/test-config.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';
import { clearRedisPrefix } from '../helpers/test-redis.js';
import { expectEachCommentOnce, until } from './fault-kit.js';

// The Graph API answering 500, malformed JSON and throttling codes to a Facebook Page's poll:
// nothing lost, nothing doubled, each failure on record, and a throttled Page is left alone (no
// Graph calls) until its window has passed.

let t: TestDatabase;
let sandbox: Sandbox;
let config: Config;
let runtime: WorkerRuntime;
const POLL_SECONDS = 2;

beforeAll(async () => {
  t = await createTestDatabase();
  sandbox = await startSandbox({ port: 0, host: '127.0.0.1' });
  sandbox.meta.usage.set({ app: 1_000_000, user: 1_000_000, page: 1_000_000 });
  config = testConfig({
    ...metaTestEnv(sandbox.url),
    X_API_BASE_URL: sandbox.url,
    POLL_INTERVAL_SECONDS: '5',
  });
  runtime = await startWorkerRuntime({
    config,
    db: t.db,
    logger: pino({ level: 'silent' }),
    relayAfterMs: 1_000,
  });
});
afterAll(async () => {
  await runtime?.close();
  await clearRedisPrefix(config.redisPrefix);
  await sandbox.close();
  await t.drop();
});

interface Counted {
  get(): Promise<{ values: { labels: Record<string, unknown>; value: number }[] }>;
}
async function counter(metric: Counted, labels: Record<string, string>): Promise<number> {
  const { values } = await metric.get();
  return values
    .filter((v) => Object.entries(labels).every(([k, want]) => v.labels[k] === want))
    .reduce((sum, v) => sum + v.value, 0);
}
const failures = (kind: string, platform = 'facebook') =>
  counter(metrics.pollFailures as unknown as Counted, { platform, kind });
const rateLimitWaits = (platform = 'facebook') =>
  counter(metrics.rateLimitWaits as unknown as Counted, { platform });

describe("the Graph API failing a Facebook Page's poll", () => {
  it('500, malformed JSON and throttling codes in turn: loses nothing, doubles nothing, records each, and never spins while throttled', async () => {
    const school = await createSchool(t.db);
    const m = sandbox.meta.state;
    const page = m.createPage({ name: 'Flaky Graph Primary', admins: ['Jo Head'] });
    const account = await createAccount(t.db, {
      schoolId: school.id,
      platform: 'facebook',
      handle: page.name,
      platformUserId: page.id,
      credentialsEncrypted: sealCredentials(config.encryptionKey, {
        accessToken: m.issuePageToken(page.id).token,
      }),
    });
    const posts = [0, 1].map((i) => m.createPost({ page: page.id, message: `Trip letter ${i}` }));
    const before = {
      transient: await failures('transient'),
      malformed: await failures('malformed'),
      rateLimited: await failures('rate_limited'),
    };
    const posted = new Set<string>();
    const storedCount = () => t.db.$count(comments, eq(comments.accountId, account.id));
    const accountRow = async () =>
      (await t.db.select().from(socialAccounts).where(eq(socialAccounts.id, account.id)))[0]!;
    const graphCalls = () => m.requestsTo('GET /{page-id}/feed').length;
    const addComments = (name: string) => {
      for (let i = 0; i < 20; i++)
        posted.add(
          m.addComment({ on: posts[i % posts.length]!.id, from: `Parent ${i}`, message: `${name} ${i}` }).id,
        );
    };
    await runtime.deps.pollScheduler.startPolling(account.id, POLL_SECONDS);

    const rounds: [string, () => void, () => boolean][] = [
      [
        '500',
        () => sandbox.faults.set({ status5xx: { count: 1, status: 500 } }),
        () => !sandbox.faults.status5xx?.count,
      ],
      [
        'malformed JSON',
        () => sandbox.faults.set({ malformedJson: { count: 1 } }),
        () => !sandbox.faults.malformedJson?.count,
      ],
      [
        'Graph error 2 (service unavailable)',
        () => sandbox.meta.faults.add({ code: 2, status: 500 }),
        () => sandbox.meta.faults.graphErrors.length === 0,
      ],
    ];
    for (const [name, inject, spent] of rounds) {
      inject();
      addComments(name);
      await until(`the ${name} fault to be served`, () => spent(), 30_000);
      await until(
        `the comments of the ${name} round stored`,
        async () => (await storedCount()) === posted.size,
        30_000,
      );
    }

    // Throttled: Graph error 613 (and 32, the Page's limit) with no usage header to say for how long.
    for (const code of [613, 32]) {
      sandbox.meta.faults.add({ code });
      addComments(`throttled ${code}`);
      await until(`the ${code} to be served`, () => sandbox.meta.faults.graphErrors.length === 0, 30_000);
      const throttled = await until(
        `the Page to be marked throttled after ${code}`,
        async () => {
          const row = await accountRow();
          return row.rateLimitedUntil && row.rateLimitedUntil > new Date() ? row : false;
        },
        30_000,
      );
      expect(throttled.lastPollError).toMatch(/rate limited until/);
      // Two scheduled polls come and go without a Graph call: it waits, it does not spin.
      const calls = graphCalls();
      const waits = await rateLimitWaits();
      await until(
        'two polls to wait out the throttle',
        async () => (await rateLimitWaits()) >= waits + 2,
        30_000,
      );
      expect(graphCalls()).toBe(calls);
      // The window passes (as the clock would move on): the next poll picks up where it stopped.
      await t.db
        .update(socialAccounts)
        .set({ rateLimitedUntil: sql`now() - interval '1 second'` })
        .where(eq(socialAccounts.id, account.id));
      await until(
        `the comments of the ${code} round stored`,
        async () => (await storedCount()) === posted.size,
        30_000,
      );
    }
    sandbox.faults.reset();

    await expectEachCommentOnce(t.db, account.id, posted);
    await runtime.deps.pollScheduler.stopPolling(account.id);

    // Each failure on record: by kind in the metrics, and the malformed body kept for diagnosis.
    expect(await failures('transient')).toBeGreaterThanOrEqual(before.transient + 2);
    expect(await failures('malformed')).toBe(before.malformed + 1);
    expect(await failures('rate_limited')).toBe(before.rateLimited + 2);
    const recorded = await t.db.select().from(pollFailures).where(eq(pollFailures.accountId, account.id));
    expect(recorded.map((f) => f.kind)).toEqual(['malformed']);
    expect(recorded[0]!.rawBody).toBeTruthy();
    const final = await accountRow();
    expect(final.credentialStatus).toBe('valid');
    expect(final.consecutivePollFailures).toBe(0);
  });
});

describe("the Graph API failing an Instagram account's poll", () => {
  it('500, malformed JSON, throttling (4, 613) and then a revoked token: nothing lost or doubled, throttled means no calls, revoked means needs re-connecting', async () => {
    const school = await createSchool(t.db);
    const m = sandbox.meta.state;
    const page = m.createPage({
      name: 'Flaky Insta Primary',
      admins: ['Jo Head'],
      instagram: { username: 'flaky_insta' },
    });
    const account = await createAccount(t.db, {
      schoolId: school.id,
      platform: 'instagram',
      handle: 'flaky_insta',
      platformUserId: page.igUserId!,
      credentialsEncrypted: sealCredentials(config.encryptionKey, {
        accessToken: m.issuePageToken(page.id).token,
      }),
    });
    const media = [0, 1].map((i) => m.createMedia({ owner: 'flaky_insta', caption: `Sports day ${i}` }));
    const before = {
      transient: await failures('transient', 'instagram'),
      malformed: await failures('malformed', 'instagram'),
      rateLimited: await failures('rate_limited', 'instagram'),
    };
    const posted = new Set<string>();
    const storedCount = () => t.db.$count(comments, eq(comments.accountId, account.id));
    const accountRow = async () =>
      (await t.db.select().from(socialAccounts).where(eq(socialAccounts.id, account.id)))[0]!;
    const graphCalls = () => m.requestsTo('GET /{ig-user-id}/media').length;
    const addComments = (name: string) => {
      for (let i = 0; i < 10; i++)
        posted.add(
          m.addIgComment({ on: media[i % media.length]!.id, from: `parent_${i}`, text: `${name} ${i}` }).id,
        );
    };
    await runtime.deps.pollScheduler.startPolling(account.id, POLL_SECONDS);

    const rounds: [string, () => void, () => boolean][] = [
      [
        '500',
        () => sandbox.faults.set({ status5xx: { count: 1, status: 500 } }),
        () => !sandbox.faults.status5xx?.count,
      ],
      [
        'malformed JSON',
        () => sandbox.faults.set({ malformedJson: { count: 1 } }),
        () => !sandbox.faults.malformedJson?.count,
      ],
    ];
    for (const [name, inject, spent] of rounds) {
      inject();
      addComments(name);
      await until(`the ${name} fault to be served`, () => spent(), 30_000);
      await until(`the ${name} round stored`, async () => (await storedCount()) === posted.size, 30_000);
    }

    for (const code of [4, 613]) {
      sandbox.meta.faults.add({ code });
      addComments(`throttled ${code}`);
      await until(`the ${code} to be served`, () => sandbox.meta.faults.graphErrors.length === 0, 30_000);
      await until(
        `the account to be marked throttled after ${code}`,
        async () => {
          const row = await accountRow();
          return !!(row.rateLimitedUntil && row.rateLimitedUntil > new Date());
        },
        30_000,
      );
      const calls = graphCalls();
      const waits = await rateLimitWaits('instagram');
      await until(
        'two polls to wait out the throttle',
        async () => (await rateLimitWaits('instagram')) >= waits + 2,
        30_000,
      );
      expect(graphCalls()).toBe(calls);
      await t.db
        .update(socialAccounts)
        .set({ rateLimitedUntil: sql`now() - interval '1 second'` })
        .where(eq(socialAccounts.id, account.id));
      await until(`the ${code} round stored`, async () => (await storedCount()) === posted.size, 30_000);
    }
    sandbox.faults.reset();

    // The Page's token is revoked (the person changed their Facebook password): Instagram, reached
    // through it, needs re-connecting; polling stops rather than hammering a dead token.
    m.revoke({ page: page.id });
    await until(
      'the account to need re-connecting',
      async () => (await accountRow()).credentialStatus === 'needs_reauth',
      30_000,
    );
    const callsAfterRevoke = graphCalls();
    await new Promise((resolve) => setTimeout(resolve, POLL_SECONDS * 2_000));
    expect(graphCalls()).toBe(callsAfterRevoke);

    const rows = await t.db.select().from(comments).where(eq(comments.accountId, account.id));
    expect(rows).toHaveLength(posted.size);
    expect(new Set(rows.map((r) => r.externalId))).toEqual(posted);
    expect(await failures('transient', 'instagram')).toBeGreaterThanOrEqual(before.transient + 1);
    expect(await failures('malformed', 'instagram')).toBe(before.malformed + 1);
    expect(await failures('rate_limited', 'instagram')).toBe(before.rateLimited + 2);
    const recorded = await t.db.select().from(pollFailures).where(eq(pollFailures.accountId, account.id));
    expect(recorded.map((f) => f.kind)).toContain('malformed');
    await runtime.deps.pollScheduler.stopPolling(account.id);
  });
});
