import { eq } from 'drizzle-orm';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { responses } from '../../db/schema/index.js';
import { sealCredentials } from '../../services/accounts/account-credentials.js';
import type { PlatformAdapter } from '../../services/platforms/adapter.js';
import { startWorkerRuntime, type WorkerRuntime } from '../../workers/worker-runtime.js';
import { buildTestApp, type TestApp } from '../helpers/build-test-app.js';
import { createAccount, createComment, createSchool, createUser } from '../helpers/factories.js';
import { signIn } from '../helpers/sign-in.js';
import { testConfig } from '../helpers/test-config.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';
import { type PrivateRedis, startPrivateRedis } from './private-redis.js';

let t: TestDatabase;
let redis: PrivateRedis;
let api: TestApp;
let base: string;
let runtime: WorkerRuntime | undefined;
const sent: { inReplyTo: string; text: string }[] = [];
const countingAdapter = {
  platform: 'x',
  async reply(inReplyTo: string, text: string) {
    sent.push({ inReplyTo, text });
    return { externalId: `r${sent.length}`, text, url: `https://x.test/r${sent.length}` };
  },
} as unknown as PlatformAdapter;

beforeAll(async () => {
  t = await createTestDatabase();
  redis = await startPrivateRedis();
  api = await buildTestApp(t.db, { config: testConfig({ REDIS_URL: redis.url }), redisUrl: redis.url });
  base = await api.app.listen({ host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
  await runtime?.close();
  await api.close();
  await redis.stop();
  await t.drop();
});

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 15_000) {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** A real HTTP request that gives up after 10 s: "nothing hangs" without timing the answer. */
function call(path: string, headers: Record<string, string>, init: { method?: string; body?: unknown } = {}) {
  return fetch(`${base}${path}`, {
    method: init.method ?? 'GET',
    headers: { ...headers, ...(init.body ? { 'content-type': 'application/json' } : {}) },
    ...(init.body ? { body: JSON.stringify(init.body) } : {}),
    signal: AbortSignal.timeout(10_000),
  });
}

describe('Redis down while the API is serving', () => {
  it('still serves reads, answers 503 with a clear message for writes that need a queue, and hangs on nothing', async () => {
    const school = await createSchool(t.db);
    const staff = await createUser(t.db, {
      trustId: school.trustId,
      roles: [{ schoolId: school.id, role: 'comms' }],
    });
    const account = await createAccount(t.db, {
      schoolId: school.id,
      credentialsEncrypted: sealCredentials(api.config.encryptionKey, { accessToken: 'token' }),
    });
    const comment = await createComment(t.db, {
      schoolId: school.id,
      accountId: account.id,
      deadlineAt: new Date(Date.now() + 3_600_000),
    });
    const { headers } = await signIn(t.db, staff.id);

    const healthy = await call('/api/inbox', headers);
    expect(healthy.status).toBe(200);

    await redis.kill();

    const inbox = await call('/api/inbox', headers);
    expect(inbox.status).toBe(200);
    expect((await inbox.json()).items.map((i: { id: string }) => i.id)).toEqual([comment.id]);
    const page = await call('/', headers);
    expect(page.status).toBe(200);
    const metrics = await call('/metrics', {});
    expect(metrics.status).toBe(200);

    // A public reply must be handed to the send-reply queue.
    const reply = await call(`/api/comments/${comment.id}/responses`, headers, {
      method: 'POST',
      body: { kind: 'public_reply', text: 'Thank you, the fair starts at 10am.' },
    });
    expect(reply.status).toBe(503);
    const body = await reply.json();
    expect(body).toMatchObject({ error: 'UPSTREAM_UNAVAILABLE' });
    expect(body.message).toMatch(/queue.*unavailable/i);
    expect(body.message).toMatch(/not saved/i);
    // Nothing was saved: a retry cannot leave a second reply for the relay to send.
    expect(await t.db.select().from(responses).where(eq(responses.commentId, comment.id))).toEqual([]);

    // Once Redis is back, the same API works again without a restart.
    await redis.restart();
    const again = await call('/api/inbox', headers);
    expect(again.status).toBe(200);

    // The user retries once the API's queue connection is back: the reply is sent exactly once.
    await waitFor('the API to reconnect to Redis', async () => api.redis.status === 'ready');
    runtime = await startWorkerRuntime({
      config: api.config,
      db: t.db,
      logger: pino({ level: 'silent' }),
      adapterFor: () => countingAdapter,
      queues: ['actions', 'maintenance'],
      replyRelayAfterMs: 0,
    });
    const retried = await call(`/api/comments/${comment.id}/responses`, headers, {
      method: 'POST',
      body: { kind: 'public_reply', text: 'Thank you, the fair starts at 10am.' },
    });
    expect(retried.status).toBe(201);
    expect(await retried.json()).toMatchObject({ responseStatus: 'sending' });
    await waitFor('the reply to be sent', async () => {
      const rows = await t.db.select().from(responses).where(eq(responses.commentId, comment.id));
      return rows.some((r) => r.status === 'sent');
    });
    const rows = await t.db.select().from(responses).where(eq(responses.commentId, comment.id));
    expect(rows.map((r) => r.status)).toEqual(['sent']);
    // Signed with the author's initials, the school's default sign-off (002 §5).
    expect(sent).toEqual([
      {
        inReplyTo: comment.externalId,
        text: expect.stringMatching(/^Thank you, the fair starts at 10am\.\n— [A-Z]+$/),
      },
    ]);
  });
});
