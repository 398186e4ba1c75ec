import { eq } from 'drizzle-orm';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../config/load-config.js';
import { comments, pollFailures, socialAccounts } from '../../db/schema/index.js';
import type { FaultSettings } from '../../sandbox/core/faults.js';
import { type Sandbox, startSandbox } from '../../sandbox/server.js';
import { metrics } from '../../services/core/metrics.js';
import type { PollCursor } from '../../services/platforms/adapter.js';
import { startWorkerRuntime, type WorkerRuntime } from '../../workers/worker-runtime.js';
import { createSchool } from '../helpers/factories.js';
import { connectSandboxAccount } from '../helpers/sandbox-account.js';
import { testConfig } from '../helpers/test-config.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';
import { clearRedisPrefix } from '../helpers/test-redis.js';
import { expectEachCommentOnce, until } from './fault-kit.js';

let t: TestDatabase;
let sandbox: Sandbox;
let config: Config;
let runtime: WorkerRuntime;

beforeAll(async () => {
  t = await createTestDatabase();
  sandbox = await startSandbox({ port: 0, host: '127.0.0.1' });
  config = testConfig({ X_API_BASE_URL: sandbox.url, POLL_INTERVAL_SECONDS: '5' });
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

async function failureCount(kind: string): Promise<number> {
  const { values } = await metrics.pollFailures.get();
  return values.filter((v) => v.labels.kind === kind).reduce((sum, v) => sum + v.value, 0);
}

describe('the platform answering 429, 500, malformed JSON and resets in turn', () => {
  it('loses nothing, doubles nothing, never moves the cursor past unstored comments, and records each failure', async () => {
    const school = await createSchool(t.db);
    const { account, user } = await connectSandboxAccount(t.db, sandbox, config, {
      schoolId: school.id,
      username: 'flaky_platform_primary',
    });
    const before = {
      rateLimited: await failureCount('rate_limited'),
      transient: await failureCount('transient'),
      malformed: await failureCount('malformed'),
    };
    const posted = new Set<string>();
    const storedCount = () => t.db.$count(comments, eq(comments.accountId, account.id));
    const cursor = async () =>
      ((await t.db.select().from(socialAccounts).where(eq(socialAccounts.id, account.id)))[0]!.cursor ??
        null) as PollCursor | null;
    await runtime.deps.pollScheduler.startPolling(account.id, 5);

    const faults: [string, FaultSettings, () => boolean][] = [
      [
        '429',
        { rateLimitNext: { count: 1, endpoint: 'mentions', resetInSeconds: 2 } },
        () => !sandbox.faults.rateLimitNext?.count,
      ],
      [
        '500',
        { status5xx: { count: 1, endpoint: 'mentions', status: 500 } },
        () => !sandbox.faults.status5xx?.count,
      ],
      [
        'malformed',
        { malformedJson: { count: 1, endpoint: 'mentions' } },
        () => !sandbox.faults.malformedJson?.count,
      ],
      [
        'reset',
        { connectionReset: { count: 1, endpoint: 'mentions' } },
        () => !sandbox.faults.connectionReset?.count,
      ],
    ];
    let round = 0;
    for (const [name, fault, spent] of faults) {
      round += 1;
      sandbox.faults.set(fault);
      for (let i = 0; i < 30; i++)
        posted.add(
          sandbox.state.injectComment({ from: `parent_${i}`, to: user.username, text: `${name} ${i}` }).id,
        );
      await until(`the ${name} fault to be served`, () => spent(), 30_000);
      // Whatever the failed poll did, the stored cursor never names a comment that is not stored.
      const after = await cursor();
      if (typeof after?.sinceId === 'string') {
        const [row] = await t.db.select().from(comments).where(eq(comments.externalId, after.sinceId));
        expect(row, `cursor after ${name}`).toBeDefined();
      }
      await until(
        `round ${round} (${name}) stored`,
        async () => (await storedCount()) === posted.size,
        60_000,
      );
    }
    sandbox.faults.reset();

    await expectEachCommentOnce(t.db, account.id, posted);
    const newest = [...posted].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1)).at(-1);
    expect((await cursor())?.sinceId).toBe(newest);

    // Each failure is on record: the metrics by kind, and the malformed body kept for diagnosis.
    expect(await failureCount('rate_limited')).toBeGreaterThan(before.rateLimited);
    expect(await failureCount('transient')).toBeGreaterThanOrEqual(before.transient + 2);
    expect(await failureCount('malformed')).toBe(before.malformed + 1);
    const recorded = await t.db.select().from(pollFailures).where(eq(pollFailures.accountId, account.id));
    expect(recorded.map((f) => f.kind)).toEqual(['malformed']);
    expect(recorded[0]!.rawBody).toBeTruthy();
    await runtime.deps.pollScheduler.stopPolling(account.id);
  });
});
