import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../helpers/build-test-app.js';
import { createAccount, createComment, createSchool, createUser } from '../../helpers/factories.js';
import { signIn } from '../../helpers/sign-in.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';
import { clearRedisPrefix } from '../../helpers/test-redis.js';

let t: TestDatabase;
let api: TestApp;

beforeAll(async () => {
  t = await createTestDatabase();
  api = await buildTestApp(t.db);
});
afterAll(async () => {
  await clearRedisPrefix(api.config.redisPrefix);
  await api.close();
  await t.drop();
});

describe('the comment page’s reads', () => {
  it('run one after another in their transaction: pg prints no overlapping-query warning', async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.message);
    process.on('warning', onWarning);
    try {
      const school = await createSchool(t.db);
      const comms = await createUser(t.db, {
        trustId: school.trustId,
        roles: [{ schoolId: school.id, role: 'comms' }],
      });
      const account = await createAccount(t.db, { schoolId: school.id });
      const comment = await createComment(t.db, {
        schoolId: school.id,
        accountId: account.id,
        text: 'Hello',
      });
      const { headers } = await signIn(t.db, comms.id);
      const page = await api.app.inject({
        url: `/comments/${comment.id}`,
        headers: { cookie: headers.cookie },
      });
      expect(page.statusCode).toBe(200);
      // Warnings are emitted on the next tick.
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings.filter((m) => m.includes('already executing a query'))).toEqual([]);
  });
});
