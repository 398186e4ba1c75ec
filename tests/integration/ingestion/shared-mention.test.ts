import { eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../../config/load-config.js';
import { comments, escalations, notifications, socialAccounts } from '../../../db/schema/index.js';
import { type Sandbox, startSandbox } from '../../../sandbox/server.js';
import { SchoolClassifierCache } from '../../../services/classification/school-classifier-cache.js';
import { systemContext } from '../../../services/core/service-context.js';
import { type PollDeps, pollAccount } from '../../../services/ingestion/poll-account.js';
import { processComments } from '../../../services/ingestion/process-comment.js';
import { createAdapterFactory } from '../../../services/platforms/create-adapter-factory.js';
import { createProcessingSteps } from '../../../workers/processing-steps.js';
import { createSchool, createUser } from '../../helpers/factories.js';
import { connectSandboxAccount } from '../../helpers/sandbox-account.js';
import { testConfig } from '../../helpers/test-config.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';

let t: TestDatabase;
let sandbox: Sandbox;
let config: Config;

beforeAll(async () => {
  t = await createTestDatabase();
  sandbox = await startSandbox({ port: 0, host: '127.0.0.1' });
  config = testConfig({ X_API_BASE_URL: sandbox.url });
});
afterAll(async () => {
  await sandbox.close();
  await t.drop();
});

const ctx = () => systemContext(t.db, 'test poller');

async function schoolWithAccount(username: string) {
  const school = await createSchool(t.db);
  const admin = await createUser(t.db, { trustId: school.trustId });
  const dsl = await createUser(t.db, {
    trustId: school.trustId,
    roles: [{ schoolId: school.id, role: 'safeguarding_lead' }],
  });
  const { account, user } = await connectSandboxAccount(t.db, sandbox, config, {
    schoolId: school.id,
    username,
    adminIds: [admin.id],
  });
  return { school, dsl, account, user };
}

async function pollOnce(accountId: string): Promise<string[]> {
  const inserted: string[] = [];
  const deps: PollDeps = {
    encryptionKey: config.encryptionKey,
    adapterFor: createAdapterFactory(config),
    onInserted: async (ids) => {
      inserted.push(...ids);
    },
  };
  expect(await pollAccount(ctx(), { accountId }, deps)).toMatchObject({ status: 'polled' });
  return inserted;
}

describe('a post that mentions two schools’ accounts', () => {
  it('reaches both schools: stored, classified and routed once for each, and a second poll doubles neither', async () => {
    const steps = createProcessingSteps({ classifiers: new SchoolClassifierCache(config.encryptionKey) });
    const hillside = await schoolWithAccount('hillside_shared');
    const oakfield = await schoolWithAccount('oakfield_shared');
    const disclosure = sandbox.state.injectComment({
      from: 'worried_pupil',
      to: hillside.user.username,
      text: `@${oakfield.user.username} i want to kill myself, nobody at home listens`,
    });

    const ids = [...(await pollOnce(hillside.account.id)), ...(await pollOnce(oakfield.account.id))];
    expect(ids).toHaveLength(2);
    expect(await processComments(ctx(), { commentIds: ids }, steps)).toMatchObject({ processed: 2 });

    const stored = await t.db.select().from(comments).where(eq(comments.externalId, disclosure.id));
    expect(stored.map((c) => c.schoolId).sort()).toEqual([hillside.school.id, oakfield.school.id].sort());
    for (const { school, account } of [hillside, oakfield]) {
      const copy = stored.find((c) => c.schoolId === school.id)!;
      expect(copy.accountId).toBe(account.id);
      expect(copy.processedAt).not.toBeNull();
      expect(copy.categories).toContain('safeguarding');
    }
    // Each school's safeguarding lead is told, about their own school's copy.
    for (const { dsl, school } of [hillside, oakfield]) {
      const own = stored.find((c) => c.schoolId === school.id)!;
      const notes = await t.db.select().from(notifications).where(eq(notifications.userId, dsl.id));
      expect(notes).toHaveLength(1);
      expect(notes[0]).toMatchObject({ schoolId: school.id, urgency: 'urgent', subjectId: own.id });
    }
    const raised = await t.db
      .select({ schoolId: escalations.schoolId })
      .from(escalations)
      .where(
        inArray(
          escalations.commentId,
          stored.map((c) => c.id),
        ),
      );
    expect(raised.map((e) => e.schoolId).sort()).toEqual([hillside.school.id, oakfield.school.id].sort());

    // Polled again (and once more from the top, as after a lost cursor): nothing is doubled.
    expect(await pollOnce(hillside.account.id)).toEqual([]);
    expect(await pollOnce(oakfield.account.id)).toEqual([]);
    await t.db.update(socialAccounts).set({ cursor: null }).where(eq(socialAccounts.id, hillside.account.id));
    expect(await pollOnce(hillside.account.id)).toEqual([]);
    expect(await t.db.select().from(comments).where(eq(comments.externalId, disclosure.id))).toHaveLength(2);
  });
});
