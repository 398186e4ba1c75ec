import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../config/load-config.js';
import { moderationActions } from '../../db/schema/index.js';
import { type Sandbox, startSandbox } from '../../sandbox/server.js';
import { verifyAudit } from '../../services/audit/verify-audit.js';
import { buildTestApp, type TestApp } from '../helpers/build-test-app.js';
import { auditActions } from '../helpers/expect-audit-entry.js';
import { signIn } from '../helpers/sign-in.js';
import { testConfig } from '../helpers/test-config.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';
import { TEST_REDIS_URL } from '../helpers/test-database-url.js';
import { clearRedisPrefix } from '../helpers/test-redis.js';
import { moderationScene } from '../integration/moderation/moderation-fixture.js';

let t: TestDatabase;
let sandbox: Sandbox;
let api: TestApp;
let env: Record<string, string>;
let config: Config;
const children: ChildProcess[] = [];

beforeAll(async () => {
  t = await createTestDatabase();
  sandbox = await startSandbox({ port: 0, host: '127.0.0.1' });
  env = {
    DATABASE_URL: t.url,
    REDIS_URL: TEST_REDIS_URL,
    REDIS_PREFIX: `hmtest-${randomBytes(4).toString('hex')}`,
    SESSION_SECRET: randomBytes(32).toString('base64'),
    ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    LOG_LEVEL: 'silent',
    X_API_BASE_URL: sandbox.url,
  };
  config = testConfig(env);
  api = await buildTestApp(t.db, { config });
});
afterAll(async () => {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) await killHard(child).catch(() => {});
  }
  await clearRedisPrefix(config.redisPrefix);
  await api.close();
  await sandbox.close();
  await t.drop();
});

/** A real worker process on the same database, Redis prefix and sandbox. */
async function startChild(): Promise<ChildProcess> {
  const child = spawn('npx', ['tsx', 'tests/helpers/action-worker-child.ts'], {
    // A 5 s lock: the killed worker's job is taken up again in seconds rather than BullMQ's
    // 30-60 s; what happens after it is the same.
    env: {
      ...process.env,
      HM_CHILD_ENV: JSON.stringify(env),
      HM_CHILD_DATABASE_URL: t.url,
      HM_CHILD_LOCK_MS: '5000',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
    detached: true,
  });
  children.push(child);
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) resolve();
    });
    child.on('exit', (code) => reject(new Error(`worker exited early (${code})`)));
  });
  return child;
}

/** SIGKILL the whole process group (npx → tsx → node): nothing gets to clean up. */
function killHard(child: ChildProcess): Promise<void> {
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  process.kill(-(child.pid ?? 0), 'SIGKILL');
  return exited;
}

async function until<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  ms: number,
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const mutes = (target: string) =>
  sandbox.state
    .stateChanges()
    .filter((c) => c.endpoint === 'POST /2/users/:id/muting' && JSON.stringify(c).includes(target));

describe('a worker killed mid-action', () => {
  it('after SIGKILL and restart the platform saw exactly one state-changing call; a duplicate job changes nothing', {
    timeout: 180_000,
  }, async () => {
    const s = await moderationScene(t.db, sandbox, config);
    const first = await startChild();
    // The worst moment to die: the platform has applied the mute, the worker has not heard back.
    // The sandbox kills the worker (SIGKILL, synchronously) as it records the mute, before answering.
    let exited: Promise<void> = Promise.resolve();
    sandbox.state.mutes.set(
      s.sandboxUser.id,
      new (class extends Set<string> {
        override add(value: string) {
          super.add(value);
          if (first.exitCode === null && !first.killed) exited = killHard(first);
          return this;
        }
      })(),
    );
    const { headers } = await signIn(t.db, s.adminA.id);
    const res = await api.app.inject({
      method: 'POST',
      url: `/api/comments/${s.comment.id}/actions`,
      headers,
      payload: { kind: 'mute', reasonCategory: 'harassment', reasonText: 'repeated abuse' },
    });
    expect(res.statusCode).toBe(201);
    const actionId: string = res.json().action.id;

    await until(
      'the mute to reach the platform',
      () => sandbox.state.isMuting(s.sandboxUser.id, s.reply.authorId) || undefined,
      30_000,
    );
    await exited;
    expect(first.signalCode).toBe('SIGKILL');
    const [mid] = await t.db.select().from(moderationActions).where(eq(moderationActions.id, actionId));
    expect(mid!.status).toBe('executing');

    await startChild();
    const done = await until(
      'the action to succeed after restart',
      async () => {
        const [row] = await t.db.select().from(moderationActions).where(eq(moderationActions.id, actionId));
        return row?.status === 'succeeded' ? row : undefined;
      },
      120_000,
    );
    expect(done.platformResult).toMatchObject({ calledPlatform: false, alreadyInState: true });
    expect(sandbox.state.requestsTo('POST /2/users/:id/muting')).toHaveLength(1);

    // Duplicate delivery: the relay (or anyone) enqueues the job again; it finds the work done.
    await api.app.queues.ensureQueued('execute-action', { actionId });
    await new Promise((r) => setTimeout(r, 2_000));
    expect(sandbox.state.requestsTo('POST /2/users/:id/muting')).toHaveLength(1);
    expect(mutes(s.reply.authorId).length).toBeLessThanOrEqual(1);

    const trail = await auditActions(t.db, actionId);
    expect(trail).toEqual([
      'action.proposed',
      'action.approved',
      'action.queued',
      'action.executing',
      'action.executing',
      'action.succeeded',
    ]);
    expect((await verifyAudit(t.db)).intact).toBe(true);
  });
});
