import { eq, sql } from 'drizzle-orm';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../config/load-config.js';
import { comments, pollFailures, socialAccounts } from '../../db/schema/index.js';
import { type Sandbox, startSandbox } from '../../sandbox/server.js';
import { sealCredentials } from '../../services/accounts/account-credentials.js';
import { metrics } from '../../services/core/metrics.js';
import { signInWithAppPassword } from '../../services/platforms/bluesky/index.js';
import { startWorkerRuntime, type WorkerRuntime } from '../../workers/worker-runtime.js';
import { createAccount, createSchool } from '../helpers/factories.js';
import { testConfig } from '../helpers/test-config.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';
import { clearRedisPrefix } from '../helpers/test-redis.js';
import { expectEachCommentOnce, until } from './fault-kit.js';

// Bluesky's XRPC answering 500, a reset connection, cut-off JSON, an expired session and a 429 to
// an account's scheduled polls (the worker runtime, Postgres, Redis): nothing lost, nothing
// doubled, each failure on record, and a rate-limited account left alone until RateLimit-Reset.

let t: TestDatabase;
let sandbox: Sandbox;
let config: Config;
let runtime: WorkerRuntime;
const POLL_SECONDS = 2;

beforeAll(async () => {
  t = await createTestDatabase();
  sandbox = await startSandbox({ port: 0, host: '127.0.0.1' });
  config = testConfig({ BLUESKY_SERVICE_URL: sandbox.bluesky.serviceUrl, POLL_INTERVAL_SECONDS: '5' });
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
const failures = (kind: string) =>
  counter(metrics.pollFailures as unknown as Counted, { platform: 'bluesky', kind });
const rateLimitWaits = () => counter(metrics.rateLimitWaits as unknown as Counted, { platform: 'bluesky' });

describe("Bluesky failing an account's polls", () => {
  it('500, a reset, cut-off JSON, an expired session and a 429 in turn: loses nothing, doubles nothing, records each, never spins while limited', async () => {
    const b = sandbox.bluesky.state;
    const handle = 'flaky.bsky.social';
    const { actor, appPassword } = b.addActor({ handle, appPassword: '' });
    b.addActor({ handle: 'parent.bsky.social' });
    const signedIn = await signInWithAppPassword(sandbox.bluesky.serviceUrl, handle, appPassword!);
    const school = await createSchool(t.db);
    const account = await createAccount(t.db, {
      schoolId: school.id,
      platform: 'bluesky',
      handle,
      platformUserId: actor.did,
      credentialsEncrypted: sealCredentials(config.encryptionKey, signedIn.credentials),
    });
    const roots = [0, 1].map((i) => b.post({ author: handle, text: `Trip letter ${i}` }));
    const before = {
      transient: await failures('transient'),
      malformed: await failures('malformed'),
      rateLimited: await failures('rate_limited'),
    };
    const posted = new Set<string>();
    const storedCount = () => t.db.$count(comments, eq(comments.accountId, account.id));
    const accountRow = async () =>
      (await t.db.select().from(socialAccounts).where(eq(socialAccounts.id, account.id)))[0]!;
    const listCalls = () =>
      b.requestLog.requestsTo('GET /xrpc/app.bsky.notification.listNotifications').length;
    const addPosts = (name: string) => {
      for (let i = 0; i < 15; i++) {
        const text = `${name} ${i}`;
        const made =
          i % 5 === 4
            ? b.post({ author: 'parent.bsky.social', text: `@${handle} ${text}` })
            : b.post({ author: 'parent.bsky.social', text, replyTo: roots[i % 2]!.uri });
        posted.add(made.uri);
      }
    };
    await runtime.deps.pollScheduler.startPolling(account.id, POLL_SECONDS);

    const endpoint = 'listNotifications';
    const rounds: [string, () => void, () => boolean][] = [
      [
        '500',
        () => sandbox.faults.set({ status5xx: { count: 1, status: 500, endpoint } }),
        () => !sandbox.faults.status5xx?.count,
      ],
      [
        'reset',
        () => sandbox.faults.set({ connectionReset: { count: 1, endpoint } }),
        () => !sandbox.faults.connectionReset?.count,
      ],
      [
        'cut-off JSON',
        () => sandbox.faults.set({ malformedJson: { count: 1, endpoint } }),
        () => !sandbox.faults.malformedJson?.count,
      ],
      ['expired session', () => b.expireAccessTokens(actor.did), () => true],
    ];
    for (const [name, inject, spent] of rounds) {
      inject();
      addPosts(name);
      await until(`the ${name} fault to be served`, () => spent(), 30_000);
      await until(
        `the posts of the ${name} round stored`,
        async () => (await storedCount()) === posted.size,
        30_000,
      );
    }

    // A 429: the account waits for RateLimit-Reset and makes no call meanwhile.
    sandbox.faults.set({ rateLimitNext: { count: 1, endpoint, resetInSeconds: 600 } });
    addPosts('limited');
    const limited = await until(
      'the account to be marked rate limited',
      async () => {
        const row = await accountRow();
        return row.rateLimitedUntil && row.rateLimitedUntil > new Date(Date.now() + 300_000) ? row : false;
      },
      30_000,
    );
    expect(limited.lastPollError).toMatch(/rate limited until/);
    const calls = listCalls();
    const waits = await rateLimitWaits();
    await until('two polls to wait out the limit', async () => (await rateLimitWaits()) >= waits + 2, 30_000);
    expect(listCalls()).toBe(calls);
    await t.db
      .update(socialAccounts)
      .set({ rateLimitedUntil: sql`now() - interval '1 second'` })
      .where(eq(socialAccounts.id, account.id));
    await until(
      'the posts of the limited round stored',
      async () => (await storedCount()) === posted.size,
      30_000,
    );
    sandbox.faults.reset();

    await expectEachCommentOnce(t.db, account.id, posted);
    await runtime.deps.pollScheduler.stopPolling(account.id);

    expect(await failures('transient')).toBeGreaterThanOrEqual(before.transient + 2);
    expect(await failures('malformed')).toBe(before.malformed + 1);
    expect(await failures('rate_limited')).toBe(before.rateLimited + 1);
    const recorded = await t.db.select().from(pollFailures).where(eq(pollFailures.accountId, account.id));
    expect(recorded.map((f) => f.kind)).toEqual(['malformed']);
    expect(recorded[0]?.rawBody).toBeTruthy();
    // The expired session was renewed, not reported: the account is still connected.
    expect((await accountRow()).credentialStatus).toBe('valid');
  });
});
