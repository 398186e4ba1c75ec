import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifierCorrections, comments } from '../../../db/schema/index.js';
import { createAccount, createComment, createSchool, createUser } from '../../helpers/factories.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';
import { TEST_REDIS_URL } from '../../helpers/test-database-url.js';

let t: TestDatabase;
let dir: string;
let env: Record<string, string>;

beforeAll(async () => {
  t = await createTestDatabase();
  dir = await mkdtemp(join(tmpdir(), 'hm-export-'));
  env = {
    DATABASE_URL: t.url,
    REDIS_URL: TEST_REDIS_URL,
    REDIS_PREFIX: `hmtest-${randomBytes(4).toString('hex')}`,
    SESSION_SECRET: randomBytes(32).toString('base64'),
    ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    LOG_LEVEL: 'silent',
  };
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  await t.drop();
});

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      'node_modules/.bin/tsx',
      ['services/cli/main.ts', ...args],
      { env: { ...process.env, ...env }, timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error ? ((error as { code?: number }).code ?? 1) : 0;
        resolve({ code: typeof code === 'number' ? code : 1, stdout, stderr });
      },
    );
  });
}

async function example(text: string, kind: 'missed' | 'overturned', expectCats: string[], redacted = false) {
  const school = await createSchool(t.db);
  const user = await createUser(t.db, { trustId: school.trustId });
  const account = await createAccount(t.db, { schoolId: school.id });
  const comment = await createComment(t.db, {
    schoolId: school.id,
    accountId: account.id,
    text,
    ...(redacted ? { redactedAt: new Date() } : {}),
  });
  const [row] = await t.db
    .insert(classifierCorrections)
    .values({
      schoolId: school.id,
      commentId: comment.id,
      kind,
      category: kind === 'missed' ? 'offensive' : 'safeguarding',
      subcategory: kind === 'missed' ? 'threat' : 'self_harm',
      labelsBefore: [],
      correctedBy: user.id,
      reviewStatus: 'example',
      reviewedAt: new Date(),
      exampleExpect: expectCats,
    })
    .returning();
  return { school, correction: row!, comment };
}

describe('npm run classifier:export-corrections', () => {
  it('writes every kept example in the corpus format to --out, leaves redacted comments out, and filters by --school', async () => {
    const a = await example('i know where you park, watch yourself', 'missed', ['offensive']);
    const b = await example('this play is killing me, i could die laughing', 'overturned', []);
    await example('gone', 'missed', ['offensive'], true);
    expect((await t.db.select().from(comments)).length).toBe(3);

    const out = join(dir, 'staff-corrections.jsonl');
    const run = await cli(['export-corrections', '--out', out]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`Wrote 2 training examples to ${out}`);
    const rows = (await readFile(out, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(rows).toEqual([
      {
        id: `staff-${a.correction.id}`,
        text: 'i know where you park, watch yourself',
        expect: ['offensive'],
        kind: 'offensive',
        subkind: 'threat',
      },
      {
        id: `staff-${b.correction.id}`,
        text: 'this play is killing me, i could die laughing',
        expect: [],
        kind: 'hard_negative',
        subkind: 'self_harm',
      },
    ]);

    const one = await cli(['export-corrections', '--school', b.school.id]);
    expect(one.code).toBe(0);
    expect(
      one.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).id),
    ).toEqual([`staff-${b.correction.id}`]);
  });

  it('refuses a school that is not an id (exit 2, with the usage)', async () => {
    const run = await cli(['export-corrections', '--school', 'Oakfield']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--school takes a school id');
  });
});
