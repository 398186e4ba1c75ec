import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { Worker } from 'bullmq';
import { and, eq } from 'drizzle-orm';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memberships, users } from '../../../db/schema/index.js';
import { createWorkerRedis } from '../../../services/core/redis-connections.js';
import { createQueues, type Queues } from '../../../workers/queues.js';
import { buildTestApp } from '../../helpers/build-test-app.js';
import { auditActions } from '../../helpers/expect-audit-entry.js';
import { createSchool } from '../../helpers/factories.js';
import { testConfig } from '../../helpers/test-config.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';
import { adminUrl, databaseUrl, TEST_REDIS_URL } from '../../helpers/test-database-url.js';
import { clearRedisPrefix } from '../../helpers/test-redis.js';

let t: TestDatabase;
let env: Record<string, string>;
const redis = createWorkerRedis(TEST_REDIS_URL);
let queues: Queues;

beforeAll(async () => {
  t = await createTestDatabase();
  env = {
    DATABASE_URL: t.url,
    REDIS_URL: TEST_REDIS_URL,
    REDIS_PREFIX: `hmtest-${randomBytes(4).toString('hex')}`,
    SESSION_SECRET: randomBytes(32).toString('base64'),
    ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    LOG_LEVEL: 'silent',
  };
  queues = createQueues(redis, env.REDIS_PREFIX!);
});
afterAll(async () => {
  await queues.close();
  await clearRedisPrefix(env.REDIS_PREFIX!);
  redis.disconnect();
  await t.drop();
});

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** The real command line, as an operator runs it, in a child process. */
function cli(args: string[], extraEnv: Record<string, string> = {}, input?: string): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(
      'node_modules/.bin/tsx',
      ['services/cli/main.ts', ...args],
      { env: { ...process.env, ...env, ...extraEnv }, timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error ? ((error as { code?: number }).code ?? 1) : 0;
        resolve({ code: typeof code === 'number' ? code : 1, stdout, stderr });
      },
    );
    if (input !== undefined) child.stdin?.end(input);
    else child.stdin?.end();
  });
}

describe('npm run cli', () => {
  it('prints the usage for help, and exits 2 with the usage for a wrong command line', async () => {
    const help = await cli(['help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('create-trust-admin');
    expect(help.stdout).toContain('jobs retry');

    for (const [args, message] of [
      [[], 'no command given'],
      [['frobnicate'], 'unknown command "frobnicate"'],
      [['create-trust-admin', '--email', 'a@b.test', '--name', 'A'], '--trust is required'],
      [['create-trust-admin', '--trust', 'T', '--email', 'nope', '--name', 'A'], '--email must be an email'],
      [['jobs', 'retry'], 'needs --all or --id'],
      [['jobs', 'failed', '--queue', 'nosuch'], 'unknown queue "nosuch"'],
      [['jobs', 'failed', '--bogus'], "Unknown option '--bogus'"],
      [['audit'], 'audit needs a command'],
    ] as const) {
      const run = await cli([...args]);
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stderr).toContain(message);
      expect(run.stderr).toContain('Usage: npm run cli');
    }
  }, 120_000);

  it('migrate creates and migrates a fresh database, and a second run changes nothing', async () => {
    const name = `hm_test_cli_${randomBytes(4).toString('hex')}`;
    const url = databaseUrl(name);
    try {
      const first = await cli(['migrate'], { DATABASE_URL: url });
      expect(first.code).toBe(0);
      expect(first.stdout).toContain('Migrations applied');
      expect(first.stderr).toContain('Created database');
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      const tables = await client.query(
        "select table_name from information_schema.tables where table_schema = 'public' and table_name in ('comments', 'audit_entries')",
      );
      await client.end();
      expect(tables.rows).toHaveLength(2);
      expect((await cli(['migrate'], { DATABASE_URL: url })).code).toBe(0);
    } finally {
      const admin = new pg.Client({ connectionString: adminUrl() });
      await admin.connect();
      await admin.query(`drop database if exists ${name} with (force)`);
      await admin.end();
    }
  }, 120_000);

  it('create-trust-admin makes a trust admin of every school of the trust, who can sign in with the printed password', async () => {
    const school = await createSchool(t.db, { name: 'Ashgrove Primary' });
    const second = await createSchool(t.db, { trustId: school.trustId, name: 'Beech Hill Academy' });
    const trustName = `Cli Trust ${randomBytes(3).toString('hex')}`;
    await t.db.execute(`update trusts set name = '${trustName}' where id = '${school.trustId}'`);

    const run = await cli([
      'create-trust-admin',
      '--trust',
      trustName,
      '--email',
      'ops@trust.test',
      '--name',
      'Olu Ops',
    ]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const password = run.stdout.match(/Password \(shown once[^:]*\): (\S+)/)?.[1];
    expect(password).toBeDefined();
    expect(run.stdout).toContain('Ashgrove Primary, Beech Hill Academy');

    const [user] = await t.db.select().from(users).where(eq(users.email, 'ops@trust.test'));
    expect(user!.trustId).toBe(school.trustId);
    const roles = await t.db
      .select()
      .from(memberships)
      .where(and(eq(memberships.userId, user!.id), eq(memberships.role, 'trust_admin')));
    expect(roles.map((r) => r.schoolId).sort()).toEqual([school.id, second.id].sort());
    expect(await auditActions(t.db, user!.id)).toEqual(
      expect.arrayContaining(['user.created', 'user.role_granted', 'user.password_set']),
    );

    const api = await buildTestApp(t.db, { config: testConfig(env) });
    try {
      const login = await api.app.inject({
        method: 'POST',
        url: '/auth/sign-in',
        payload: { email: 'ops@trust.test', password },
      });
      expect(login.statusCode).toBe(200);
    } finally {
      await api.close();
    }

    // By id, with the password on stdin: nothing printed but the person.
    const byId = await cli(
      [
        'create-trust-admin',
        '--trust',
        school.trustId,
        '--email',
        'ops2@trust.test',
        '--name',
        'Second',
        '--password',
        '-',
      ],
      {},
      'a long enough passphrase\n',
    );
    expect(byId.code).toBe(0);
    expect(byId.stdout).not.toContain('Password');

    const again = await cli([
      'create-trust-admin',
      '--trust',
      trustName,
      '--email',
      'ops@trust.test',
      '--name',
      'X',
    ]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('already has a Hallmonitor account');
    const unknown = await cli([
      'create-trust-admin',
      '--trust',
      'No Such Trust',
      '--email',
      'x@y.test',
      '--name',
      'X',
    ]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('No trust is called or has the id "No Such Trust"');
    const short = await cli([
      'create-trust-admin',
      '--trust',
      trustName,
      '--email',
      'z@y.test',
      '--name',
      'Z',
      '--password',
      'short',
    ]);
    expect(short.code).toBe(2);
  }, 120_000);

  it('audit verify reports an intact chain', async () => {
    const run = await cli(['audit', 'verify']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/intact/i);
  }, 60_000);

  it('jobs failed lists failed jobs, and jobs retry --all puts them back to waiting with progress on stderr', async () => {
    const uuids = [randomUUID(), randomUUID(), randomUUID()];
    for (const commentId of uuids) await queues.add('deadline-warning', { commentId }, { attempts: 1 });
    // A worker that fails everything once, then stops.
    const failing = new Worker(
      'deadlines',
      async () => {
        throw new Error('classifier exploded');
      },
      { connection: createWorkerRedis(TEST_REDIS_URL), prefix: env.REDIS_PREFIX! },
    );
    const end = Date.now() + 20_000;
    while ((await queues.deadlines.getFailedCount()) < 3 && Date.now() < end)
      await new Promise((r) => setTimeout(r, 100));
    await failing.close();

    const listed = await cli(['jobs', 'failed']);
    expect(listed.code).toBe(0);
    const lines = listed.stdout.trim().split('\n');
    expect(lines).toHaveLength(3);
    for (const id of uuids) expect(listed.stdout).toContain(`deadline-warning-${id}`);
    expect(lines[0]).toContain('classifier exploded');
    expect(listed.stderr).toContain('3 failed jobs');
    const none = await cli(['jobs', 'failed', '--queue', 'actions']);
    expect(none.stdout).toBe('');
    expect(none.stderr).toContain('No failed jobs');

    const retried = await cli(['jobs', 'retry', '--queue', 'deadlines', '--all']);
    expect(retried.code).toBe(0);
    expect(retried.stdout).toContain('Re-queued 3 failed jobs');
    expect(retried.stderr).toContain('deadlines: re-queued 3/3');
    expect(await queues.deadlines.getFailedCount()).toBe(0);
    expect(await queues.deadlines.getWaitingCount()).toBe(3);
  }, 120_000);
});
