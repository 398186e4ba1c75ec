import { eq, sql } from 'drizzle-orm';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../config/load-config.js';
import { comments, socialAccounts } from '../../db/schema/index.js';
import { type Sandbox, startSandbox } from '../../sandbox/server.js';
import { sealCredentials } from '../../services/accounts/account-credentials.js';
import { nextPacificMidnight } from '../../services/platforms/youtube/youtube-quota.js';
import { startWorkerRuntime, type WorkerRuntime } from '../../workers/worker-runtime.js';
import { createAccount, createSchool } from '../helpers/factories.js';
import { testConfig, youtubeTestEnv } from '../helpers/test-config.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';
import { clearRedisPrefix } from '../helpers/test-redis.js';
import { expectEachCommentOnce, until } from './fault-kit.js';

// The YouTube Data API answering 500, a body cut short, a reset connection, 429 and a spent daily
// quota to a channel's polls run by the real workers: nothing lost, nothing doubled, and a channel
// whose quota is spent is left alone (no YouTube calls) until midnight Pacific.

let t: TestDatabase;
let sandbox: Sandbox;
let config: Config;
let runtime: WorkerRuntime;

beforeAll(async () => {
  t = await createTestDatabase();
  sandbox = await startSandbox({ port: 0, host: '127.0.0.1' });
  // A daily quota this large spaces polls by the configured interval alone: at the real 10,000
  // units each failed round waited for the next quota-spaced poll, 20 s or more by time of day.
  // The spent-quota round is the sandbox's own limit, which this does not change.
  config = testConfig({
    ...youtubeTestEnv(sandbox.url),
    POLL_INTERVAL_SECONDS: '5',
    YOUTUBE_DAILY_QUOTA: '10000000',
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

describe("the YouTube Data API failing a channel's polls", () => {
  it('500, a cut body, a reset, 429 and a spent quota in turn: loses nothing, doubles nothing, waits for the reset without calling', async () => {
    const y = sandbox.youtube.state;
    const school = await createSchool(t.db);
    const channel = y.createChannel({ title: 'Flaky Tube Primary', handle: '@flakytube', owner: 'Jo Head' });
    const video = y.createVideo({ channel: channel.id, title: 'Harvest festival' });
    const { access, refresh } = y.issueTokens({ channel: channel.id });
    const account = await createAccount(t.db, {
      schoolId: school.id,
      platform: 'youtube',
      handle: 'flakytube',
      platformUserId: channel.id,
      credentialsEncrypted: sealCredentials(config.encryptionKey, {
        accessToken: access.token,
        refreshToken: refresh.token,
        expiresAt: new Date(access.expiresAt),
      }),
    });
    const posted = new Set<string>();
    const threads: string[] = [];
    const storedCount = () => t.db.$count(comments, eq(comments.accountId, account.id));
    const accountRow = async () =>
      (await t.db.select().from(socialAccounts).where(eq(socialAccounts.id, account.id)))[0]!;
    const youtubeCalls = () => y.requestLog.requestsTo('commentThreads.list').length;
    const addComments = (name: string) => {
      for (let i = 0; i < 12; i++) {
        const on = i % 3 === 2 && threads.length > 0 ? threads[threads.length - 1]! : video.id;
        const c = y.addComment({ on, from: `Parent ${i}`, text: `${name} ${i}` });
        if (c.parentId === null) threads.push(c.id);
        posted.add(c.id);
      }
    };
    await runtime.deps.pollScheduler.startPolling(account.id, 2);

    const rounds: [string, () => void, () => boolean][] = [
      [
        '500',
        () => sandbox.faults.set({ status5xx: { count: 1, status: 500 } }),
        () => !sandbox.faults.status5xx?.count,
      ],
      [
        'a cut body',
        () => sandbox.faults.set({ malformedJson: { count: 1 } }),
        () => !sandbox.faults.malformedJson?.count,
      ],
      [
        'a reset connection',
        () => sandbox.faults.set({ connectionReset: { count: 1, endpoint: 'commentThreads' } }),
        () => !sandbox.faults.connectionReset?.count,
      ],
      [
        '429',
        () => sandbox.faults.set({ rateLimitNext: { count: 1, resetInSeconds: 1 } }),
        () => !sandbox.faults.rateLimitNext?.count,
      ],
    ];
    for (const [name, inject, spent] of rounds) {
      inject();
      addComments(name);
      await until(`the ${name} fault to be served`, () => spent(), 30_000);
      if (name === '429') {
        // The wait Google asked for passes (as the clock would move on).
        await until(
          'the 429 to be recorded',
          async () => (await accountRow()).rateLimitedUntil !== null,
          30_000,
        );
        await t.db
          .update(socialAccounts)
          .set({ rateLimitedUntil: sql`now() - interval '1 second'` })
          .where(eq(socialAccounts.id, account.id));
      }
      await until(
        `the comments of the ${name} round stored`,
        async () => (await storedCount()) === posted.size,
        30_000,
      );
    }

    // The day's quota is spent: the channel waits for midnight Pacific and says so.
    y.quota.set({ project: y.client.id, used: 10_000 });
    addComments('after the quota');
    const waiting = await until(
      'the channel to wait for the quota',
      async () => {
        const row = await accountRow();
        return row.rateLimitedUntil && row.rateLimitedUntil > new Date() ? row : false;
      },
      30_000,
    );
    expect(waiting.rateLimitedUntil?.toISOString()).toBe(nextPacificMidnight(Date.now()).toISOString());
    const calls = youtubeCalls();
    await new Promise((r) => setTimeout(r, 5_000));
    expect(youtubeCalls()).toBe(calls);

    // Midnight Pacific: the quota is back, and what came meanwhile is stored once.
    y.quota.resetDay();
    await t.db
      .update(socialAccounts)
      .set({ rateLimitedUntil: sql`now() - interval '1 second'` })
      .where(eq(socialAccounts.id, account.id));
    await until(
      'the comments of the quota round stored',
      async () => (await storedCount()) === posted.size,
      30_000,
    );
    sandbox.faults.reset();

    await expectEachCommentOnce(t.db, account.id, posted);
    await runtime.deps.pollScheduler.stopPolling(account.id);
    const final = await accountRow();
    expect(final.credentialStatus).toBe('valid');
  });
});
