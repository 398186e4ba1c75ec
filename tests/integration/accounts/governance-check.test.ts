import { eq } from 'drizzle-orm';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notifications, socialAccounts } from '../../../db/schema/index.js';
import { createWorkerRedis } from '../../../services/core/redis-connections.js';
import { createPollScheduler } from '../../../workers/poll-schedulers.js';
import { governanceCheckProcessor } from '../../../workers/processors/governance-check.js';
import { createQueues } from '../../../workers/queues.js';
import type { WorkerDeps } from '../../../workers/worker-deps.js';
import { createAccount, createSchool, createUser } from '../../helpers/factories.js';
import { testConfig } from '../../helpers/test-config.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';
import { clearRedisPrefix } from '../../helpers/test-redis.js';

let t: TestDatabase;
const config = testConfig();
const redis = createWorkerRedis(config.redisUrl);
const queues = createQueues(redis, config.redisPrefix);

beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  await queues.close();
  redis.disconnect();
  await clearRedisPrefix(config.redisPrefix);
  await t.drop();
});

describe('the hourly governance check', () => {
  it('reminds senior leaders of a review falling due and restores a lost poll schedule', async () => {
    const school = await createSchool(t.db);
    const head = await createUser(t.db, {
      trustId: school.trustId,
      roles: [{ schoolId: school.id, role: 'senior_leader' }],
    });
    const account = await createAccount(t.db, { schoolId: school.id, status: 'active' });
    await t.db
      .update(socialAccounts)
      .set({ reviewDueAt: new Date(Date.now() + 5 * 86_400_000) })
      .where(eq(socialAccounts.id, account.id));
    const deps = {
      config,
      db: t.db,
      queues,
      logger: pino({ level: 'silent' }),
      processingSteps: [],
      pollScheduler: createPollScheduler(queues),
    } as WorkerDeps;
    const { handler } = governanceCheckProcessor(deps);

    // Redis has no schedule for the active account (as after Redis lost its data).
    expect(await queues.poll.getJobSchedulers()).toHaveLength(0);
    await handler({} as never, { jobId: 'governance-check', attemptsMade: 0 });

    const sent = await t.db.select().from(notifications).where(eq(notifications.userId, head.id));
    expect(sent.map((n) => n.event)).toEqual(['account.review_due']);
    const schedules = await queues.poll.getJobSchedulers();
    expect(schedules.map((s) => s.key)).toEqual([`poll-${account.id}`]);

    // Run again within the week: no second reminder.
    await handler({} as never, { jobId: 'governance-check', attemptsMade: 0 });
    expect(await t.db.select().from(notifications).where(eq(notifications.userId, head.id))).toHaveLength(1);
  });
});
