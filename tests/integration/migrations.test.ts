import { randomBytes } from 'node:crypto';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { closeDatabase, createDatabase } from '../../db/client.js';
import { MIGRATIONS_FOLDER, migrateDatabase } from '../../db/migrate.js';
import { adminUrl, databaseUrl } from '../helpers/test-database-url.js';

const name = `hm_migrate_${randomBytes(4).toString('hex')}`;
const upgraded = `hm_upgrade_${randomBytes(4).toString('hex')}`;

/** The committed migrations before the one tagged `…_${tag}`, in a folder of their own. */
async function migrationsBefore(tag: string): Promise<{ folder: string; remove: () => Promise<void> }> {
  const folder = await mkdtemp(path.join(tmpdir(), 'hm-migrations-'));
  await cp(MIGRATIONS_FOLDER, folder, { recursive: true });
  const journalPath = path.join(folder, 'meta', '_journal.json');
  const journal = JSON.parse(await readFile(journalPath, 'utf8')) as { entries: { tag: string }[] };
  const at = journal.entries.findIndex((e) => e.tag.endsWith(`_${tag}`));
  if (at < 0) throw new Error(`no migration tagged ${tag}`);
  journal.entries = journal.entries.slice(0, at);
  await writeFile(journalPath, JSON.stringify(journal));
  return { folder, remove: () => rm(folder, { recursive: true, force: true }) };
}

async function admin(sql: string) {
  const client = new pg.Client({ connectionString: adminUrl() });
  await client.connect();
  try {
    return await client.query(sql);
  } finally {
    await client.end();
  }
}

describe('migrations', () => {
  afterAll(async () => {
    await admin(`drop database if exists ${name} with (force)`);
    await admin(`drop database if exists ${upgraded} with (force)`);
  });

  it('apply to an empty database, and a second run is a no-op', async () => {
    await admin(`create database ${name}`);
    const db = createDatabase({ url: databaseUrl(name), max: 1 });
    try {
      await migrateDatabase(db);
      const tables = await db.$client.query<{ table_name: string }>(
        "select table_name from information_schema.tables where table_schema = 'public' order by 1",
      );
      expect(tables.rows.map((r) => r.table_name)).toEqual(
        expect.arrayContaining([
          'trusts',
          'schools',
          'users',
          'memberships',
          'social_accounts',
          'account_admins',
          'comments',
          'responses',
          'moderation_actions',
          'escalations',
          'notifications',
          'audit_entries',
        ]),
      );
      const applied = await db.$client.query('select count(*)::int as n from drizzle.__drizzle_migrations');
      await migrateDatabase(db);
      const again = await db.$client.query('select count(*)::int as n from drizzle.__drizzle_migrations');
      expect(again.rows[0].n).toBe(applied.rows[0].n);
      const head = await db.$client.query('select seq, hash from audit_head');
      expect(head.rows).toEqual([{ seq: '0', hash: '0'.repeat(64) }]);
    } finally {
      await closeDatabase(db);
    }
  });

  it('moves comment uniqueness to the monitored account without losing a stored comment', async () => {
    await admin(`create database ${upgraded}`);
    const db = createDatabase({ url: databaseUrl(upgraded), max: 1 });
    const before = await migrationsBefore('comment_unique_per_account');
    try {
      await migrate(db, { migrationsFolder: before.folder });
      const q = (text: string, values: unknown[] = []) => db.$client.query(text, values);
      const trust = (await q(`insert into trusts (name) values ('T') returning id`)).rows[0].id;
      const school = async (n: string) =>
        (await q(`insert into schools (trust_id, name) values ($1, $2) returning id`, [trust, n])).rows[0].id;
      const account = async (schoolId: string, handle: string) =>
        (
          await q(
            `insert into social_accounts (school_id, platform, handle) values ($1, 'x', $2) returning id`,
            [schoolId, handle],
          )
        ).rows[0].id;
      const [a, b] = [await school('A'), await school('B')];
      const [accountA, accountB] = [await account(a, 'school_a'), await account(b, 'school_b')];
      const insert = (schoolId: string, accountId: string, externalId: string) =>
        q(
          `insert into comments (school_id, account_id, platform, external_id, author_external_id, author_handle, text, posted_at)
           values ($1, $2, 'x', $3, '42', 'parent', 'hello', now())`,
          [schoolId, accountId, externalId],
        );
      for (let i = 0; i < 5; i++) await insert(a, accountA, `100${i}`);
      await insert(b, accountB, '2000');
      // Before: the second school's copy of a post was refused.
      await expect(insert(b, accountB, '1000')).rejects.toThrow(/duplicate key/);

      await migrateDatabase(db);
      const kept = await q('select account_id, external_id from comments order by external_id');
      expect(kept.rows).toHaveLength(6);
      // After: each account keeps its own copy, and one account still cannot store a post twice.
      await insert(b, accountB, '1000');
      await expect(insert(a, accountA, '1000')).rejects.toThrow(/duplicate key/);
      const copies = await q(`select school_id from comments where external_id = '1000' order by school_id`);
      expect(copies.rows.map((r) => r.school_id)).toEqual([a, b].sort());
    } finally {
      await before.remove();
      await closeDatabase(db);
    }
  });
});
