import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { closeDatabase, createDatabase } from '../../db/client.js';
import { migrateDatabase } from '../../db/migrate.js';
import { adminUrl, databaseUrl } from '../helpers/test-database-url.js';

const name = `hm_migrate_${randomBytes(4).toString('hex')}`;

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
  afterAll(() => admin(`drop database if exists ${name} with (force)`));

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
});
