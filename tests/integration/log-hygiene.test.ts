import { and, eq, isNotNull } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../config/load-config.js';
import { comments, responses, socialAccounts } from '../../db/schema/index.js';
import { type Sandbox, startSandbox } from '../../sandbox/server.js';
import { openCredentials } from '../../services/accounts/account-credentials.js';
import { buildApp } from '../../services/api/build-app.js';
import { SESSION_COOKIE } from '../../services/auth/session-store.js';
import { createLogger } from '../../services/core/logger.js';
import { createProducerRedis } from '../../services/core/redis-connections.js';
import { startWorkerRuntime, type WorkerRuntime } from '../../workers/worker-runtime.js';
import { createSchool } from '../helpers/factories.js';
import { connectSandboxAccount } from '../helpers/sandbox-account.js';
import { testConfig } from '../helpers/test-config.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';
import { clearRedisPrefix } from '../helpers/test-redis.js';
import { connectAs } from './accounts/accounts-fixture.js';
import { PASSWORD, sessionCookie, signInRequest, userWithPassword } from './auth/auth-kit.js';

// Everything the API and the workers write at info level, line by line.
const lines: string[] = [];
const capture = { write: (line: string) => void lines.push(line) };

let t: TestDatabase;
let sandbox: Sandbox;
let config: Config;
let redis: Redis;
let app: FastifyInstance;
let runtime: WorkerRuntime;

beforeAll(async () => {
  t = await createTestDatabase();
  sandbox = await startSandbox({ port: 0, host: '127.0.0.1' });
  config = testConfig({ X_API_BASE_URL: sandbox.url, POLL_INTERVAL_SECONDS: '5', LOG_LEVEL: 'info' });
  redis = createProducerRedis(config.redisUrl);
  app = await buildApp(config, { db: t.db, redis, logStream: capture });
  await app.ready();
});
afterAll(async () => {
  await runtime?.close();
  await app?.close();
  redis?.disconnect();
  if (config) await clearRedisPrefix(config.redisPrefix);
  await sandbox?.close();
  await t?.drop();
});

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 20_000) {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('log hygiene at info level', () => {
  it('logs request and job ids, and never comment text, replies, passwords, cookies or tokens', async () => {
    const school = await createSchool(t.db);
    const user = await userWithPassword(t.db, {
      trustId: school.trustId,
      roles: [{ schoolId: school.id, role: 'comms' }],
    });
    const signedIn = await signInRequest(app, { email: user.email, password: PASSWORD });
    expect(signedIn.statusCode, signedIn.body).toBe(200);
    const cookieValue = sessionCookie(signedIn)!.value;
    const csrfToken: string = signedIn.json().csrfToken;
    const person = {
      id: user.id,
      headers: { cookie: `${SESSION_COOKIE}=${cookieValue}`, 'x-csrf-token': csrfToken },
    };

    const {
      account,
      user: xUser,
      accessToken: firstToken,
    } = await connectSandboxAccount(t.db, sandbox, config, {
      schoolId: school.id,
      username: 'hygiene_primary',
      adminIds: [user.id],
    });
    // Connecting again issues fresh tokens through the real OAuth callback.
    const callback = await connectAs(
      { app, config, redis, close: async () => {} },
      person,
      account.id,
      xUser.username,
    );
    expect(callback.statusCode, callback.body).toBe(302);
    const [stored] = await t.db.select().from(socialAccounts).where(eq(socialAccounts.id, account.id));
    const tokens = openCredentials(config.encryptionKey, stored!.credentialsEncrypted!);
    expect(tokens.accessToken).not.toBe(firstToken);

    // Started now, so it reconciles the active account's poll schedule as a restarted worker would.
    runtime = await startWorkerRuntime({
      config,
      db: t.db,
      logger: createLogger(config, 'worker', capture),
      replyRelayAfterMs: 0,
    });
    const commentText = 'LEAKCHECK-COMMENT-5e1d when is the bake sale';
    const tweet = sandbox.state.injectComment({
      from: 'hygiene_parent',
      to: xUser.username,
      text: commentText,
    });
    await waitFor('the comment to be polled and processed', async () => {
      const [row] = await t.db
        .select({ id: comments.id })
        .from(comments)
        .where(and(eq(comments.externalId, tweet.id), isNotNull(comments.processedAt)));
      return !!row;
    });
    const [comment] = await t.db.select().from(comments).where(eq(comments.externalId, tweet.id));

    const replyText = 'LEAKCHECK-REPLY-9c4b the bake sale is on Friday';
    const replied = await app.inject({
      method: 'POST',
      url: `/api/comments/${comment!.id}/responses`,
      headers: person.headers,
      payload: { kind: 'public_reply', text: replyText },
    });
    expect(replied.statusCode, replied.body).toBe(201);
    await waitFor('the reply to be sent', async () => {
      const [row] = await t.db.select().from(responses).where(eq(responses.commentId, comment!.id));
      return row?.status === 'sent';
    });

    const secrets = {
      commentText,
      replyText,
      password: PASSWORD,
      cookieValue,
      csrfToken,
      accessToken: tokens.accessToken,
      refreshToken: tokens.refreshToken!,
      firstToken,
      sessionSecret: config.sessionSecret,
      encryptionKey: config.encryptionKey.toString('base64'),
    };
    const everything = lines.join('');
    for (const [name, secret] of Object.entries(secrets)) {
      expect(secret.length, name).toBeGreaterThan(8);
      expect(everything.includes(secret), `${name} appears in the logs`).toBe(false);
    }
    // Distinctive parts too, in case a line shortens or re-encodes the text.
    expect(everything).not.toContain('LEAKCHECK');

    const parsed = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    const requestLines = parsed.filter((l) => 'req' in l || 'res' in l);
    expect(requestLines.length).toBeGreaterThan(4);
    for (const line of requestLines) expect(line.reqId, JSON.stringify(line)).toEqual(expect.any(String));
    // The OAuth callback's code and state travel in its query string: logged paths carry none.
    const urls = requestLines.flatMap((l) => (l.req as { url?: string } | undefined)?.url ?? []);
    expect(urls).toContain('/api/accounts/connect/callback');
    for (const url of urls) expect(url).not.toContain('?');
    const jobLines = parsed.filter((l) => 'job' in l);
    expect(jobLines.map((l) => l.queue)).toEqual(expect.arrayContaining(['poll', 'process', 'actions']));
    for (const line of jobLines) expect(line.jobId, JSON.stringify(line)).toEqual(expect.any(String));
  });
});
