import { eq } from 'drizzle-orm';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../../config/load-config.js';
import { comments, responses } from '../../../db/schema/index.js';
import { sealCredentials } from '../../../services/accounts/account-credentials.js';
import type { PlatformAdapter } from '../../../services/platforms/adapter.js';
import { startWorkerRuntime, type WorkerRuntime } from '../../../workers/worker-runtime.js';
import { buildTestApp, type TestApp } from '../../helpers/build-test-app.js';
import { auditActions } from '../../helpers/expect-audit-entry.js';
import {
  createAccount,
  createComment,
  createSchool,
  createTrust,
  createUser,
} from '../../helpers/factories.js';
import { signIn } from '../../helpers/sign-in.js';
import { testConfig } from '../../helpers/test-config.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';
import { clearRedisPrefix } from '../../helpers/test-redis.js';

let t: TestDatabase;
let config: Config;
let api: TestApp;
let runtime: WorkerRuntime | undefined;
const replies: { inReplyTo: string; text: string }[] = [];

const fakeAdapter = {
  platform: 'x',
  async reply(inReplyTo: string, text: string) {
    replies.push({ inReplyTo, text });
    return { externalId: `r${replies.length}`, text, url: `https://x.test/r${replies.length}` };
  },
} as unknown as PlatformAdapter;

beforeAll(async () => {
  t = await createTestDatabase();
  config = testConfig();
  api = await buildTestApp(t.db, { config });
});
afterAll(async () => {
  await runtime?.close();
  await api?.close();
  await clearRedisPrefix(config.redisPrefix);
  await t?.drop();
});

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 15_000) {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('public replies whose send job was lost', () => {
  it('are sent exactly once after the relay re-adds the job', async () => {
    const trust = await createTrust(t.db);
    const school = await createSchool(t.db, { trustId: trust.id });
    const admin = await createUser(t.db, { trustId: trust.id });
    const account = await createAccount(t.db, {
      schoolId: school.id,
      adminIds: [admin.id],
      credentialsEncrypted: sealCredentials(config.encryptionKey, { accessToken: 'token' }),
    });
    const comment = await createComment(t.db, { schoolId: school.id, accountId: account.id });

    // No worker runs yet: the reply is queued, then Redis loses its job.
    const { headers } = await signIn(t.db, admin.id);
    const res = await api.app.inject({
      method: 'POST',
      url: `/api/comments/${comment.id}/responses`,
      headers,
      payload: { kind: 'public_reply', text: 'Thank you, the office will call you today.' },
    });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ responseStatus: 'sending' });
    const responseId = res.json().responseId as string;
    const jobId = `send-reply-${responseId}`;
    expect(await api.app.queues.actions.getJob(jobId)).toBeDefined();
    await api.app.queues.actions.remove(jobId);
    expect(await api.app.queues.actions.getJob(jobId)).toBeUndefined();

    runtime = await startWorkerRuntime({
      config,
      db: t.db,
      logger: pino({ level: 'silent' }),
      adapterFor: () => fakeAdapter,
      queues: ['maintenance', 'actions'],
      replyRelayAfterMs: 0,
    });
    // The scheduler's first run may come at once; ask for another so the test does not wait a minute.
    await runtime.deps.queues.add('relay-replies', {}, { jobId: 'relay-replies-now' });
    await waitFor('the reply to be sent', async () => {
      const [row] = await t.db.select().from(responses).where(eq(responses.id, responseId));
      return row?.status === 'sent';
    });

    // Relaying again, and re-adding the job by hand, post nothing more.
    await runtime.deps.queues.add('relay-replies', {}, { jobId: 'relay-replies-again' });
    await runtime.deps.queues.ensureQueued('send-reply', { responseId });
    await waitFor('the relay to run again', async () => {
      const job = await runtime!.deps.queues.maintenance.getJob('relay-replies-again');
      return (await job?.getState()) === 'completed';
    });
    await waitFor('the re-added send to finish', async () => {
      const job = await runtime!.deps.queues.actions.getJob(jobId);
      return (await job?.getState()) === 'completed';
    });

    expect(replies).toEqual([
      // Signed with the author's initials, the school's default sign-off (002 §5).
      {
        inReplyTo: comment.externalId,
        text: expect.stringMatching(/^Thank you, the office will call you today\.\n— [A-Z]+$/),
      },
    ]);
    const [sent] = await t.db.select().from(responses).where(eq(responses.id, responseId));
    expect(sent).toMatchObject({ status: 'sent', externalId: 'r1' });
    const [answered] = await t.db.select().from(comments).where(eq(comments.id, comment.id));
    expect(answered!.status).toBe('responded');
    expect((await auditActions(t.db, responseId)).filter((a) => a === 'response.sent')).toHaveLength(1);
  });
});
